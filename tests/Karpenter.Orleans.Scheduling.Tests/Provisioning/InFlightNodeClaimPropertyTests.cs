using CsCheck;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Resources;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>
/// Over random in-flight claims with random nominations: every pending pod is accounted for once, nominated
/// pods are never planned again, no claim holds more than its room, and the same input gives the same result.
/// </summary>
public sealed class InFlightNodeClaimPropertyTests
{
    private static readonly string[] Types = ["s2", "m4", "l8"];
    private static readonly string[] Zones = ["zone-a", "zone-b"];

    /// <summary>Claims (type, zone, how many of the pods are nominated to it) and pods (millicores, spread or not).</summary>
    private static readonly Gen<(List<(int Type, int Zone, int Nominated)> Claims, List<(int MilliCpu, bool Spread)> Pods)> Cases =
        Gen.Select(
            Gen.Select(Gen.Int[0, 2], Gen.Int[0, 1], Gen.Int[0, 3]).List[0, 4],
            Gen.Select(Gen.Int[1, 30], Gen.Bool).List[1, 25],
            (claims, pods) => (claims, pods.Select(p => (p.Item1 * 100, p.Item2)).ToList()));

    private static SchedulingInput Build((List<(int Type, int Zone, int Nominated)> Claims, List<(int MilliCpu, bool Spread)> Pods) c)
    {
        var scenario = TestCatalogs.ThreeSizes(Zones);
        for (var i = 0; i < c.Pods.Count; i++)
        {
            var (cpu, spread) = c.Pods[i];
            var pod = new PodBuilder($"p-{i}", $"{cpu}m", "256Mi").Label("app", "web");
            scenario.Pod(spread ? pod.Spread(WellKnownLabels.Zone, 1, "app", "web") : pod);
        }

        // Nominate the first pods in order, as much as each claim's cpu takes: a valid earlier plan.
        var next = 0;
        for (var k = 0; k < c.Claims.Count; k++)
        {
            var (type, zone, count) = c.Claims[k];
            var room = (long)Math.Pow(2, type + 1) * 1000;
            var nominated = new List<string>();
            while (nominated.Count < count && next < c.Pods.Count && c.Pods[next].MilliCpu <= room)
            {
                room -= c.Pods[next].MilliCpu;
                nominated.Add($"default/p-{next++}");
            }

            scenario.NodeClaim(new InFlightNodeClaim
            {
                Name = $"default-{k}",
                NodePool = "default",
                InstanceType = Types[type],
                Zone = Zones[zone],
                CapacityType = CapacityTypes.OnDemand,
                NominatedPods = nominated,
            });
        }

        return scenario.Input();
    }

    [Fact]
    public void Pending_pods_are_accounted_once_and_nominated_pods_never()
    {
        Cases.Sample(c =>
        {
            var input = Build(c);
            var result = ProvisioningSolver.Solve(input);
            var nominated = input.NodeClaims.SelectMany(n => n.NominatedPods).ToHashSet(StringComparer.Ordinal);
            var listed = result.NodeClaims.SelectMany(n => n.Pods)
                .Concat(result.ExistingNodes.SelectMany(n => n.Pods))
                .Concat(result.NodeClaimPlacements.SelectMany(n => n.Pods))
                .Concat(result.Unschedulable.Select(u => u.Pod))
                .ToList();
            var pending = input.Pods.Select(p => $"default/{p.Metadata.Name}").Where(k => !nominated.Contains(k)).Order(StringComparer.Ordinal);

            Assert.Equal(pending, listed.Order(StringComparer.Ordinal));
            Assert.Equal(pending.Count(), result.Summary.Pods);
        }, iter: 200, threads: 1);
    }

    [Fact]
    public void No_in_flight_claim_holds_more_than_its_instance_types_allocatable()
    {
        Cases.Sample(c =>
        {
            var input = Build(c);
            var result = ProvisioningSolver.Solve(input);
            var requests = input.Pods.ToDictionary(p => $"default/{p.Metadata.Name}", p => ResourceVector.FromQuantities(p.Spec.Containers[0].Resources.Requests));
            var types = input.Catalog.InstanceTypes.ToDictionary(t => t.Name);
            foreach (var claim in input.NodeClaims)
            {
                var placed = result.NodeClaimPlacements.SingleOrDefault(p => p.NodeClaim == claim.Name)?.Pods ?? [];
                var cpu = claim.NominatedPods.Concat(placed).Sum(p => requests[p].MilliCpu);
                Assert.True(cpu <= types[claim.InstanceType].Allocatable.MilliCpu, $"{claim.Name} ({claim.InstanceType}) holds {cpu}m");
            }
        }, iter: 200, threads: 1);
    }

    [Fact]
    public void The_same_input_gives_the_same_result()
    {
        Cases.Sample(c =>
        {
            var input = Build(c);
            Assert.Equal(Outcome.Canonical(ProvisioningSolver.Solve(input)), Outcome.Canonical(ProvisioningSolver.Solve(input)));
        }, iter: 100, threads: 1);
    }
}
