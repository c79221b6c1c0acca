using Karpenter.Orleans.Scheduling.Provisioning.Internal;

namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// The plan made with no optimisation at all, as a reference for the solver's cost: each pod group
/// (identical pods, in practice one service) is packed alone, on new nodes of the single offering that
/// holds it most cheaply, in the first NodePool by weight that can take it. A required zonal spread is
/// split evenly over the zones it counts, each zone's share on that zone's cheapest offering. It is a
/// real plan, made by the solver's own packing with one rule added (a claim carries pods of one group
/// only, unless no new claim can take a group's pods, NodePool limits say, and another group's claim has
/// room for them), so it honours everything the solver does: existing nodes and in-flight claims are filled first,
/// NodePool limits, taints, node selection, spreads, pod affinity and anti-affinity, host ports,
/// DaemonSet overhead. With <see cref="SolverOptions.Improve"/> on (the default) the solver keeps the
/// cheaper of its own plan and this one, so a plan is never dearer than the per-group packing of the same
/// input with the same options. The plan's summary has no greedy price or lower bound.
/// </summary>
public static class PerGroupPacking
{
    public static PerGroupPlan Plan(SchedulingInput input, SolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (result, model) = ProvisioningSolver.PerGroup(input, options ?? SolverOptions.Default);
        return new PerGroupPlan(Choices(model, result), result.Summary.PricePerHour, result.Summary.Scheduled, result.Summary.Unschedulable) { Plan = result };
    }

    /// <summary>
    /// The per-group packing's claims as claim seeds for the solver: one per claim, of its type, in the zone
    /// it launches in, meant to carry its pods again. Like the LP's seeds, only pods nothing but their own
    /// node selection constrains are seeded (see <see cref="LpSeeds.IsFree"/>), and not on NodePools with
    /// minValues: the seeding checks room and node selection only; every other pod is packed as usual
    /// around the seeded claims.
    /// </summary>
    internal static List<ClaimSeed> Seeds(SolverModel model, SchedulerRun run)
    {
        var seeds = new List<ClaimSeed>();
        foreach (var claim in run.Claims)
        {
            if (claim.GroupPods.Count != 1 || claim.LaunchType < 0 || claim.Pool.Requirements.Any(r => r.MinValues is not null))
            {
                continue;
            }

            var (g, pods) = claim.GroupPods.First();
            if (LpSeeds.IsFree(g) && model.Index.CheapestOffering(claim.LaunchType, claim.Requirements) is { } offering)
            {
                seeds.Add(new ClaimSeed(claim.Pool, claim.LaunchType, offering.Zone, 1, [(g, pods)]));
            }
        }

        return seeds;
    }

    /// <summary>What the plan launched for each group: its new claims by NodePool, offering and zone.</summary>
    private static List<PerGroupChoice> Choices(SolverModel model, SchedulingResult result)
    {
        var groupOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var g in model.Groups)
        {
            foreach (var pod in g.PodKeys)
            {
                groupOf[pod] = g.PodKeys[0];
            }
        }

        return result.NodeClaims
            .GroupBy(c => (Group: groupOf[c.Pods[0]], c.NodePool, c.InstanceType, c.Zone, c.CapacityType))
            .Select(g => new PerGroupChoice(
                g.Key.Group,
                g.Sum(c => c.Pods.Count),
                g.Key.NodePool,
                g.Key.InstanceType,
                g.Key.Zone,
                g.Key.CapacityType,
                g.Max(c => c.Pods.Count),
                g.Count(),
                Math.Round(g.Sum(c => c.PricePerHour), 6)))
            .ToList();
    }
}
