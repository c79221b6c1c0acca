using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>
/// Consolidation holds a node to the allocatable its NodePool's node class gives it (kubelet maxPods and
/// reservations, <see cref="NodePool.AllocatableByType"/>), as provisioning does, not to the catalog's.
/// Multi-node consolidation is off so each scenario is one node at a time: pass one replaces an expensive
/// l8 holding one pod with an s2; pass two asks whether a full s2's pods can all move onto that replacement.
/// </summary>
public sealed class NodeClassAllocatableTests
{
    private static readonly DisruptionOptions SingleNodeOnly = new() { MultiNodeCandidateLimit = 0 };

    /// <summary>The default NodePool whose node class caps every type at <paramref name="pods"/> pods.</summary>
    private static NodePool PoolWithMaxPods(CatalogBuilder catalog, int pods) => new NodePoolBuilder("default").Build() with
    {
        AllocatableByType = catalog.Build().InstanceTypes.ToDictionary(
            t => t.Name,
            t => new ResourceVector(t.Allocatable.MilliCpu, t.Allocatable.Memory, pods, t.Allocatable.EphemeralStorage, t.Allocatable.Extended),
            StringComparer.Ordinal),
    };

    /// <summary>An l8 holding one small pod, and an s2 ("full") whose kubelet reports <paramref name="fullPods"/> pods, that many bound.</summary>
    private static DisruptionCluster Cluster(CatalogBuilder? catalog, int poolPods, int fullPods, bool onlyMaxPods = false)
    {
        var cluster = new DisruptionCluster(catalog);
        cluster.Pool(onlyMaxPods ? new NodePoolBuilder("default").Build() with { MaxPods = poolPods } : PoolWithMaxPods(cluster.Catalog, poolPods))
            .Node("big", "l8")
            .Node("full", "s2", n =>
            {
                n.Node.Status!.Allocatable!["pods"] = new k8s.Models.ResourceQuantity(fullPods.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return n;
            })
            .Pod("lone", "100m", "big");
        for (var i = 0; i < fullPods; i++)
        {
            cluster.Pod($"p{i}", "10m", "full");
        }

        return cluster;
    }

    /// <summary>Pods on each node once every action of the plan has run (nodes the plan removes are gone).</summary>
    private static Dictionary<string, int> PodsAfter(DisruptionInput input, DisruptionPlan plan)
    {
        var at = input.Pods.ToDictionary(p => $"{p.Metadata.NamespaceProperty ?? "default"}/{p.Metadata.Name}", p => p.Spec.NodeName!, StringComparer.Ordinal);
        var gone = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in plan.Actions)
        {
            foreach (var move in action.Moves)
            {
                at[move.Pod] = move.To;
            }

            gone.UnionWith(action.Nodes);
        }

        return at.Values.Where(n => !gone.Contains(n)).GroupBy(n => n, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // NodePool.MaxPods alone, as karpo simulate reads an EC2NodeClass's kubelet.maxPods
    public void A_node_class_that_lowers_max_pods_keeps_consolidation_from_packing_more_pods_onto_a_replacement(bool onlyMaxPods)
    {
        // The catalog says 110 pods; the node class says 5. The replacement s2 holds the lone pod, so the full
        // node's 5 pods would make 6 there.
        var input = Cluster(null, poolPods: 5, fullPods: 5, onlyMaxPods).Input();

        var plan = DisruptionPlanner.PlanToConvergence(input, SingleNodeOnly);

        var replaced = Assert.Single(plan.Actions, a => a.Nodes.Contains("big"));
        Assert.Equal(DisruptionActionKind.Replace, replaced.Kind);
        Assert.DoesNotContain(plan.Actions, a => a.Nodes.Contains("full"));
        Assert.All(PodsAfter(input, plan), n => Assert.True(n.Value <= 5, $"{n.Key} would run {n.Value} pods; its node class allows 5"));
    }

    [Fact]
    public void A_node_class_that_raises_max_pods_lets_consolidation_delete_a_node_the_catalog_count_would_keep()
    {
        // The catalog says 29 pods (an m5.large's ENI limit); the node class says 110. The full node's 30 pods
        // and the lone pod make 31 on the replacement: too many for the catalog, fine for the node class.
        var catalog = new CatalogBuilder("zone-a")
            .Type("s2", "2", "8Gi", 0.10, t => t.Pods(29))
            .Type("m4", "4", "16Gi", 0.18, t => t.Pods(29))
            .Type("l8", "8", "32Gi", 0.30, t => t.Pods(29));
        var input = Cluster(catalog, poolPods: 110, fullPods: 30).Input();

        var plan = DisruptionPlanner.PlanToConvergence(input, SingleNodeOnly);

        var deleted = Assert.Single(plan.Actions, a => a.Nodes.Contains("full"));
        Assert.Equal(DisruptionActionKind.Delete, deleted.Kind);
        var after = PodsAfter(input, plan);
        Assert.Equal(31, Assert.Single(after).Value);
    }
}
