using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;

namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// The plan made with no optimisation at all, as a reference for the solver's cost: each pod group
/// (identical pods, in practice one service) is packed alone, on new nodes of the single offering that
/// holds it most cheaply, in the first NodePool by weight that can take it. A required zonal spread
/// over its own pods is split evenly over the zones its node selection allows (the extra pods of an
/// uneven split go to the zones where they cost least), each zone on its own cheapest offering.
/// DaemonSet overhead counts; a host port or required hostname anti-affinity to its own pods holds a
/// node to one pod, a required hostname spread to maxSkew. Existing nodes, NodePool limits,
/// preferences and rules between groups are not considered, so on inputs that have those it is a
/// figure, not a plan the solver must match. A group no offering can take, or a spread zone without an
/// offering, is counted in <see cref="PerGroupPlan.Unplaced"/>.
/// </summary>
public static class PerGroupPacking
{
    public static PerGroupPlan Plan(SchedulingInput input, SolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var model = new SolverModel(input, options ?? SolverOptions.Default);
        var choices = new List<PerGroupChoice>();
        var scheduled = 0;
        var unplaced = 0;
        foreach (var g in model.Groups.OrderBy(g => g.FirstInputIndex))
        {
            var packed = g.InvalidReason is null ? PackGroup(model, g) : null;
            if (packed is null)
            {
                unplaced += g.Count;
                continue;
            }

            choices.AddRange(packed);
            scheduled += g.Count;
        }

        return new PerGroupPlan(choices, Math.Round(choices.Sum(c => c.PricePerHour), 6), scheduled, unplaced);
    }

    /// <summary>
    /// The per-group packing as claim seeds for the solver: each choice's nodes, in its zone, meant to carry
    /// the choice's pods. Like the LP's seeds, only pods nothing but their own node selection constrains
    /// are seeded (see <see cref="LpSeeds.IsFree"/>), and not on NodePools with minValues: the seeding
    /// checks room and node selection only; every other pod is packed as usual around the seeded claims.
    /// </summary>
    internal static (List<ClaimSeed> Seeds, double PricePerHour) Seeds(SolverModel model)
    {
        var typeIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var t = 0; t < model.Index.Types.Length; t++)
        {
            typeIndex.TryAdd(model.Index.Types[t].Name, t);
        }

        var seeds = new List<ClaimSeed>();
        var price = 0.0;
        foreach (var g in model.Groups.OrderBy(g => g.FirstInputIndex))
        {
            var packed = g.InvalidReason is null ? PackGroup(model, g) : null;
            price += packed?.Sum(c => c.PricePerHour) ?? 0;
            if (!LpSeeds.IsFree(g) || packed is null)
            {
                continue;
            }

            foreach (var c in packed)
            {
                var pool = model.Pools.First(p => p.Name == c.NodePool);
                if (pool.Requirements.Any(r => r.MinValues is not null))
                {
                    continue;
                }

                seeds.Add(new ClaimSeed(pool, typeIndex[c.InstanceType], c.Zone, c.Nodes, [(g, (double)c.Pods / c.Nodes)]));
            }
        }

        return (seeds, price);
    }

    private static List<PerGroupChoice>? PackGroup(SolverModel model, PodGroup g)
    {
        var cap = int.MaxValue;
        if (g.HostPorts.Count > 0 || g.RequiredAntiAffinity.Exists(tg => tg.IsHostname && tg.Matches(g.Namespace, g.Labels)))
        {
            cap = 1;
        }

        TopologyGroup? zonal = null;
        foreach (var (tg, anyway) in g.Spreads)
        {
            if (!anyway && tg.Matches(g.Namespace, g.Labels))
            {
                if (tg.IsHostname)
                {
                    cap = Math.Min(cap, tg.MaxSkew);
                }
                else if (tg.Key == WellKnownLabels.Zone)
                {
                    zonal = tg;
                }
            }
        }

        var terms = g.RequiredTerms.Count > 0 ? g.RequiredTerms : [RequirementSet.Empty];
        foreach (var pool in model.Pools)
        {
            if (Taints.FirstUntolerated(pool.Taints, g.Tolerations, strictPreferNoSchedule: true) is not null)
            {
                continue;
            }

            // Node-affinity terms are alternatives: the first that packs the group is the one kept.
            foreach (var term in terms)
            {
                if (pool.Requirements.Compatible(term, model.WellKnown) is not null)
                {
                    continue;
                }

                var reqs = pool.Requirements.Add(term);
                var candidates = Candidates(model, pool, g, reqs, cap);
                if (candidates.Count == 0)
                {
                    continue;
                }

                var packed = zonal is null
                    ? Part(g, pool, candidates, null, g.Count) is { } one ? [one] : null
                    : Spread(model, g, pool, candidates, reqs);
                if (packed is not null)
                {
                    return packed;
                }
            }
        }

        return null;
    }

    /// <summary>Every available offering the requirements allow on a type that holds at least one pod, with pods per node.</summary>
    private static List<(InstanceType Type, Offering Offering, int PerNode)> Candidates(SolverModel model, PoolTemplate pool, PodGroup g, RequirementSet reqs, int cap)
    {
        var zone = reqs[WellKnownLabels.Zone];
        var capacityType = reqs[WellKnownLabels.CapacityType];
        var list = new List<(InstanceType, Offering, int)>();
        foreach (var t in pool.Types.And(model.Index.For(reqs)).Indices())
        {
            var perNode = (int)Math.Min(cap, pool.Room[t].HowManyFit(g.Requests));
            if (perNode <= 0)
            {
                continue;
            }

            foreach (var o in model.Index.Types[t].Offerings)
            {
                if (o.Available && (zone?.Has(o.Zone) ?? true) && (capacityType?.Has(o.CapacityType) ?? true))
                {
                    list.Add((model.Index.Types[t], o, perNode));
                }
            }
        }

        return list;
    }

    /// <summary>The single offering (in <paramref name="zone"/>, or any) that holds <paramref name="pods"/> pods most cheaply.</summary>
    private static PerGroupChoice? Part(PodGroup g, PoolTemplate pool, List<(InstanceType Type, Offering Offering, int PerNode)> candidates, string? zone, int pods)
    {
        (InstanceType Type, Offering Offering, int PerNode, int Nodes, double Cost)? best = null;
        foreach (var (type, o, perNode) in candidates)
        {
            if (zone is not null && o.Zone != zone)
            {
                continue;
            }

            var nodes = (pods + perNode - 1) / perNode;
            var cost = nodes * o.Price;
            if (best is not { } b || cost < b.Cost - 1e-12 ||
                (Math.Abs(cost - b.Cost) <= 1e-12 && Tie(type, o, b.Type, b.Offering) < 0))
            {
                best = (type, o, perNode, nodes, cost);
            }
        }

        return best is { } chosen
            ? new PerGroupChoice(g.PodKeys[0], pods, pool.Name, chosen.Type.Name, chosen.Offering.Zone, chosen.Offering.CapacityType, chosen.PerNode, chosen.Nodes, chosen.Cost)
            : null;
    }

    private static int Tie(InstanceType a, Offering oa, InstanceType b, Offering ob)
    {
        var c = string.CompareOrdinal(a.Name, b.Name);
        c = c != 0 ? c : string.CompareOrdinal(oa.Zone, ob.Zone);
        return c != 0 ? c : string.CompareOrdinal(oa.CapacityType, ob.CapacityType);
    }

    /// <summary>An even split over the spread's zones; null when a zone has no offering for the group.</summary>
    private static List<PerGroupChoice>? Spread(SolverModel model, PodGroup g, PoolTemplate pool, List<(InstanceType Type, Offering Offering, int PerNode)> candidates, RequirementSet reqs)
    {
        var allowed = reqs[WellKnownLabels.Zone];
        var zones = model.Domains(WellKnownLabels.Zone).Where(z => allowed?.Has(z) ?? true).ToList();
        if (zones.Count == 0)
        {
            return null;
        }

        var each = g.Count / zones.Count;
        var extra = g.Count % zones.Count;
        var low = new List<PerGroupChoice?>();
        var high = new List<PerGroupChoice?>();
        foreach (var z in zones)
        {
            low.Add(each > 0 ? Part(g, pool, candidates, z, each) : null);
            high.Add(Part(g, pool, candidates, z, each + 1));
            if ((each > 0 && low[^1] is null) || high[^1] is null)
            {
                return null;
            }
        }

        // The extra pods of an uneven split go where one more pod adds least (zone order breaks ties).
        var plus = Enumerable.Range(0, zones.Count)
            .OrderBy(i => high[i]!.PricePerHour - (low[i]?.PricePerHour ?? 0))
            .ThenBy(i => i)
            .Take(extra)
            .ToHashSet();
        var parts = new List<PerGroupChoice>();
        for (var i = 0; i < zones.Count; i++)
        {
            if (plus.Contains(i))
            {
                parts.Add(high[i]!);
            }
            else if (low[i] is { } part)
            {
                parts.Add(part);
            }
        }

        return parts;
    }
}
