using CsCheck;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Disruption;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>
/// Invariants of every plan over generated clusters, checked with the tests' own arithmetic (not the
/// solver's): every pod of the input still has a node after the plan, one that exists and has room for it
/// (cpu and pod count), anti pods never share a host, a pass never disrupts more pods of a PDB than it
/// allows, consolidation never raises the bill, and the same input gives the same plan.
/// </summary>
public sealed class DisruptionPropertyTests
{
    private const int Iterations = 150;

    private static void Holds(Action<GenCluster, DisruptionInput> property) =>
        GenCluster.Gen.Sample(spec => property(spec, spec.Input()), iter: Iterations, threads: 1, print: s => s.ToString());

    [Fact]
    public void EveryMovedPodLandsOnANodeWithRoomForIt() => Holds((_, input) =>
    {
        AssertPlacementsHold(input, DisruptionPlanner.Plan(input));
        AssertPlacementsHold(input, DisruptionPlanner.PlanToConvergence(input));
    });

    [Fact]
    public void APassNeverDisruptsMorePodsOfAPdbThanItAllows() => Holds((spec, input) =>
    {
        var plan = DisruptionPlanner.Plan(input);
        if (spec.PdbMaxUnavailable < 0)
        {
            return;
        }

        var web = input.Pods.Where(p => p.Metadata.Labels is { } l && l.TryGetValue("app", out var app) && app == "web").ToList();
        var allowed = Math.Min(spec.PdbMaxUnavailable, web.Count);
        var removed = plan.Actions.SelectMany(a => a.Nodes).ToHashSet(StringComparer.Ordinal);
        var disrupted = web.Count(p => removed.Contains(p.Spec.NodeName));
        Assert.True(disrupted <= allowed, $"{disrupted} web pods disrupted, the PDB allows {allowed}");
    });

    [Fact]
    public void ConsolidationNeverRaisesTheBill() => Holds((_, input) =>
    {
        foreach (var plan in new[] { DisruptionPlanner.Plan(input), DisruptionPlanner.PlanToConvergence(input) })
        {
            var price = new Dictionary<string, double>(input.Nodes.ToDictionary(n => n.Name, n => n.PricePerHour), StringComparer.Ordinal);
            foreach (var a in plan.Actions)
            {
                var saving = a.Nodes.Sum(n => price[n]) - a.Replacements.Sum(r => r.PricePerHour);
                Assert.Equal(saving, a.SavingPerHour, 6);
                Assert.True(a.SavingPerHour > 0, $"{a.Method} {a.Kind} [{string.Join(",", a.Nodes)}] saves {a.SavingPerHour}");
                foreach (var r in a.Replacements)
                {
                    price[r.Name] = r.PricePerHour;
                }
            }

            Assert.True(plan.Summary.PricePerHourAfter <= plan.Summary.PricePerHourBefore + 1e-9);
            Assert.Equal(plan.Summary.PricePerHourBefore - plan.Actions.Sum(a => a.SavingPerHour), plan.Summary.PricePerHourAfter, 6);
        }
    });

    [Fact]
    public void TheFirstCommandOfAPlanStaysValidWhenTheClusterHasNotChanged() => Holds((_, input) =>
    {
        var plan = DisruptionPlanner.Plan(input);
        if (plan.Actions.Count == 0)
        {
            return;
        }

        var result = DisruptionPlanner.Revalidate(plan.Actions[0], input);
        Assert.True(result.IsValid, string.Join("; ", result.Invalid.Select(b => b.Reason)));
        Assert.Same(plan.Actions[0], result.Command);
    });

    [Fact]
    public void EveryNodeIsActedOnOrBlockedWithOneReason() => Holds((_, input) => PlanAssert.EveryNodeAccountedFor(input, DisruptionPlanner.Plan(input)));

    [Fact]
    public void TheSameInputGivesTheSamePlan() => Holds((spec, input) =>
        Assert.Equal(PlanAssert.Canonical(DisruptionPlanner.PlanToConvergence(input)), PlanAssert.Canonical(DisruptionPlanner.PlanToConvergence(spec.Input()))));

    /// <summary>
    /// Replays the actions on the input's placement and checks that every pod of the input ends on a node that
    /// is there, and every node's cpu, pod count (its allocatable pods) and anti pods.
    /// </summary>
    private static void AssertPlacementsHold(DisruptionInput input, DisruptionPlan plan)
    {
        var room = input.Nodes.ToDictionary(n => n.Name, n => new ResourceQuantity(n.Node.Status.Allocatable["cpu"].ToString()).ToDecimal(), StringComparer.Ordinal);
        var podRoom = input.Nodes.ToDictionary(n => n.Name, n => new ResourceQuantity(n.Node.Status.Allocatable["pods"].ToString()).ToDecimal(), StringComparer.Ordinal);
        var catalog = input.Catalog.InstanceTypes.ToDictionary(t => t.Name, t => t.Allocatable.MilliCpu / 1000m, StringComparer.Ordinal);
        var catalogPods = input.Catalog.InstanceTypes.ToDictionary(t => t.Name, t => (decimal)t.Allocatable.Pods, StringComparer.Ordinal);
        var at = input.Pods.ToDictionary(Key, p => p.Spec.NodeName, StringComparer.Ordinal);
        var pods = input.Pods.ToDictionary(Key, p => p, StringComparer.Ordinal);
        foreach (var a in plan.Actions)
        {
            foreach (var r in a.Replacements)
            {
                room[r.Name] = catalog[r.InstanceType];
                podRoom[r.Name] = catalogPods[r.InstanceType];
            }

            var moves = a.Moves.ToDictionary(m => m.Pod, m => m.To, StringComparer.Ordinal);
            foreach (var node in a.Nodes)
            {
                Assert.True(room.Remove(node), $"action takes {node}, which is not there");
                foreach (var pod in at.Where(p => p.Value == node).Select(p => p.Key).ToList())
                {
                    Assert.True(moves.TryGetValue(pod, out var to), $"pod {pod} of {node} has no new home in {a.Method} {a.Kind}");
                    at[pod] = to;
                }
            }

            foreach (var (pod, node) in at)
            {
                Assert.True(room.ContainsKey(node!), $"pod {pod} is on {node}, which is gone or unknown");
            }
        }

        // Every pod of the input ends on a node that is still there.
        Assert.All(at, p => Assert.True(p.Value is not null && room.ContainsKey(p.Value), $"pod {p.Key} has no node after the plan"));
        foreach (var group in at.GroupBy(p => p.Value!, StringComparer.Ordinal))
        {
            Assert.True(group.Count() <= podRoom[group.Key], $"node {group.Key} holds {group.Count()} pods, it allows {podRoom[group.Key]}");
            var cpu = group.Sum(p => new ResourceQuantity(pods[p.Key].Spec.Containers[0].Resources.Requests["cpu"].ToString()).ToDecimal());
            Assert.True(cpu <= room[group.Key], $"node {group.Key} holds {cpu} cpu, it has {room[group.Key]}");
            var anti = group.Count(p => pods[p.Key].Metadata.Labels is { } l && l.TryGetValue("app", out var app) && app == "anti");
            Assert.True(anti <= 1, $"node {group.Key} holds {anti} pods with hostname anti-affinity to each other");
        }
    }

    private static string Key(V1Pod p) => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}";
}
