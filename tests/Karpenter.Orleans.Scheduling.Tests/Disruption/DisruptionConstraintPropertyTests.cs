using CsCheck;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Disruption;
using Role = Karpenter.Orleans.Scheduling.Tests.Disruption.GenConstrainedCluster.Role;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>
/// The plan keeps every constraint the pods had, checked on generated clusters with the tests' own arithmetic
/// (not the solver's): after replaying every action, each node's cpu, memory and pod count hold its pods and the
/// DaemonSet pod it runs, anti pods and host-port pods never share a node, batch pods run only on the batch
/// NodePool's nodes and no other pod runs under its taint, the zone spread is no more skewed than maxSkew (or
/// than it started), and a pass disrupts no more pods of the PodDisruptionBudget than it allows.
/// </summary>
public sealed class DisruptionConstraintPropertyTests
{
    private const int Iterations = 150;

    private static void Holds(Action<GenConstrainedCluster, DisruptionInput> property) =>
        GenConstrainedCluster.Gen.Sample(spec => property(spec, spec.Input()), iter: Iterations, threads: 1, print: s => s.ToString());

    [Fact]
    public void EveryPodEndsOnANodeItCanRunOnWithEveryConstraintKept() => Holds((spec, input) =>
    {
        AssertConstraintsHold(spec, input, DisruptionPlanner.Plan(input));
        AssertConstraintsHold(spec, input, DisruptionPlanner.PlanToConvergence(input));
    });

    /// <summary>
    /// The case the property found: zone-b's nodes (one empty) hold two spread pods that fit on zone-a's node.
    /// Deleting them would leave all four in zone-a, a skew of 4 where zone-b can still get a node, so Karpenter's
    /// simulation (which counts the zones the NodePool can launch in) refuses it, and so does the planner.
    /// </summary>
    [Fact]
    public void AZonalSpreadIsNotCollapsedIntoTheZoneThatKeepsNodes()
    {
        var spec = new GenConstrainedCluster([11, 15, 40],
            [
                new(0, 1, false, [new(100, 1024, Role.Plain), new(1000, 1024, Role.Spread), new(500, 1024, Role.Spread)]),
                new(2, 1, true, []),
                new(1, 0, false, [new(500, 1024, Role.Anti), new(100, 6144, Role.Plain), new(100, 3072, Role.Spread), new(1000, 1024, Role.Spread)]),
            ],
            PdbMaxUnavailable: 2, Daemon: true, Budget: 1);
        var input = spec.Input();

        var plan = DisruptionPlanner.PlanToConvergence(input);

        Assert.DoesNotContain(plan.Actions, a => a.Kind == DisruptionActionKind.Delete && a.Nodes.Contains("node-0"));
        AssertConstraintsHold(spec, input, plan);
    }

    [Fact]
    public void APassNeverDisruptsMorePodsOfThePdbThanItAllows() => Holds((spec, input) =>
    {
        if (spec.PdbMaxUnavailable < 0)
        {
            return;
        }

        var plan = DisruptionPlanner.Plan(input);
        var web = input.Pods.Where(p => App(p) == GenConstrainedCluster.App(Role.Web)).ToList();
        var removed = plan.Actions.SelectMany(a => a.Nodes).ToHashSet(StringComparer.Ordinal);
        var disrupted = web.Count(p => removed.Contains(p.Spec.NodeName));
        Assert.True(disrupted <= Math.Min(spec.PdbMaxUnavailable, web.Count), $"{disrupted} web pods disrupted, the PDB allows {spec.PdbMaxUnavailable}");
    });

    [Fact]
    public void TheSameInputGivesTheSamePlan() => Holds((spec, input) =>
        Assert.Equal(PlanAssert.Canonical(DisruptionPlanner.PlanToConvergence(input)), PlanAssert.Canonical(DisruptionPlanner.PlanToConvergence(spec.Input()))));

    private static void AssertConstraintsHold(GenConstrainedCluster spec, DisruptionInput input, DisruptionPlan plan)
    {
        PlanAssert.EveryNodeAccountedFor(input, plan);
        var nodes = input.Nodes.ToDictionary(
            n => n.Name,
            n => new Host(Array.IndexOf(GenConstrainedCluster.TypeNames, n.InstanceType), n.Zone!, n.NodePool!),
            StringComparer.Ordinal);
        var pods = input.Pods.Where(p => !IsDaemon(p)).ToDictionary(Key, StringComparer.Ordinal);
        var at = pods.ToDictionary(p => p.Key, p => p.Value.Spec.NodeName!, StringComparer.Ordinal);
        var skewBefore = Skew(at, pods, nodes);

        foreach (var action in plan.Actions)
        {
            foreach (var r in action.Replacements)
            {
                var type = Array.IndexOf(GenConstrainedCluster.TypeNames, r.InstanceType);
                Assert.True(type >= 0, $"replacement {r.Name} is of type {r.InstanceType}, which the catalog does not have");
                Assert.Contains(r.Zone, GenConstrainedCluster.Zones);
                nodes.Add(r.Name, new Host(type, r.Zone, r.NodePool));
            }

            var moves = action.Moves.ToDictionary(m => m.Pod, m => m.To, StringComparer.Ordinal);
            foreach (var node in action.Nodes)
            {
                Assert.True(nodes.Remove(node), $"{action.Method} takes {node}, which is not there");
                foreach (var pod in at.Where(p => p.Value == node).Select(p => p.Key).ToList())
                {
                    Assert.True(moves.TryGetValue(pod, out var to), $"pod {pod} of {node} has no new home in {action.Method} {action.Kind}");
                    at[pod] = to;
                }
            }

            foreach (var (pod, node) in at)
            {
                Assert.True(nodes.ContainsKey(node), $"after {action.Method} {action.Kind} pod {pod} is on {node}, which is gone or unknown");
            }
        }

        foreach (var (name, host) in nodes)
        {
            var here = at.Where(p => p.Value == name).Select(p => pods[p.Key]).ToList();
            var daemon = spec.Daemon ? GenConstrainedCluster.DaemonRequests : (MilliCpu: 0, MemoryMi: 0);
            var cpu = daemon.MilliCpu + here.Sum(p => Milli(p, "cpu"));
            var memoryMi = daemon.MemoryMi + here.Sum(p => Milli(p, "memory") / (1000L * 1024 * 1024));
            var count = (spec.Daemon ? 1 : 0) + here.Count;
            Assert.True(cpu <= GenConstrainedCluster.TypeCpu[host.Type], $"node {name} holds {cpu}m cpu, it has {GenConstrainedCluster.TypeCpu[host.Type]}m");
            Assert.True(memoryMi <= GenConstrainedCluster.TypeMemoryMi[host.Type], $"node {name} holds {memoryMi}Mi, it has {GenConstrainedCluster.TypeMemoryMi[host.Type]}Mi");
            Assert.True(count <= GenConstrainedCluster.TypePods[host.Type], $"node {name} runs {count} pods, it allows {GenConstrainedCluster.TypePods[host.Type]}");
            Assert.True(here.Count(p => App(p) == "anti") <= 1, $"node {name} holds anti pods with hostname anti-affinity to each other");
            Assert.True(here.Count(p => App(p) == "port") <= 1, $"node {name} holds two pods on host port {GenConstrainedCluster.HostPort}");
            foreach (var pod in here)
            {
                var batch = App(pod) == "batch";
                Assert.True(batch == (host.Pool == "batch"), batch
                    ? $"batch pod {Key(pod)} is on {name} of NodePool {host.Pool}: its nodeSelector wants the batch NodePool"
                    : $"pod {Key(pod)} is on {name} of the batch NodePool without tolerating its taint");
            }
        }

        var skewAfter = Skew(at, pods, nodes);
        Assert.True(skewAfter <= Math.Max(1, skewBefore), $"the zone spread of the spread pods is {skewAfter} after the plan, {skewBefore} before, maxSkew 1");
    }

    /// <summary>Largest minus smallest count of spread pods per zone, over both zones (Karpenter counts every zone the NodePool can launch in).</summary>
    private static int Skew(Dictionary<string, string> at, Dictionary<string, V1Pod> pods, Dictionary<string, Host> nodes)
    {
        var counts = GenConstrainedCluster.Zones.ToDictionary(z => z, _ => 0, StringComparer.Ordinal);
        foreach (var (pod, node) in at)
        {
            if (App(pods[pod]) == "spread" && nodes.TryGetValue(node, out var host))
            {
                counts[host.Zone]++;
            }
        }

        return counts.Values.Max() - counts.Values.Min();
    }

    private static long Milli(V1Pod pod, string resource) =>
        (long)(new ResourceQuantity(pod.Spec.Containers[0].Resources.Requests[resource].ToString()).ToDecimal() * 1000);

    private static string? App(V1Pod p) => p.Metadata.Labels is { } l && l.TryGetValue("app", out var app) ? app : null;

    private static bool IsDaemon(V1Pod p) => p.Metadata.OwnerReferences?.Any(o => o.Kind == "DaemonSet") == true;

    private static string Key(V1Pod p) => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}";

    private sealed record Host(int Type, string Zone, string Pool);
}
