using System.Runtime.CompilerServices;
using CsCheck;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Scheduling.Tests.Workloads;

/// <summary>
/// The scale-in generator builds a cluster the consolidation benchmark can trust: reproducible, every pod on a
/// node that has room for it (checked here with plain arithmetic, not the solver's), about the size asked.
/// </summary>
public sealed class ScaleInWorkloadTests
{
    private static readonly Lazy<InstanceTypeCatalog> ShippedCatalog = new(() => CatalogLoader.Load(ShippedCatalogPath()));

    [Fact]
    public void SameSeedGivesTheSameCluster()
    {
        var first = ScaleInWorkload.Create(BenchmarkWorkload.Catalog, nodes: 40, seed: 7);
        var second = ScaleInWorkload.Create(BenchmarkWorkload.Catalog, nodes: 40, seed: 7);

        Assert.Equal(Fingerprint(first), Fingerprint(second));
        Assert.Equal(first.Remaining.Pods.Select(Key), second.Remaining.Pods.Select(Key));
    }

    [Fact]
    public void AnotherSeedVariesTheMix()
    {
        var first = ScaleInWorkload.Create(BenchmarkWorkload.Catalog, nodes: 40, seed: 7);
        var second = ScaleInWorkload.Create(BenchmarkWorkload.Catalog, nodes: 40, seed: 8);

        Assert.NotEqual(Fingerprint(first), Fingerprint(second));
        Assert.NotEqual(Requests(first), Requests(second));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(150)]
    public void NodeCountIsNearTheOneAskedForOnTheBenchmarkCatalog(int nodes)
    {
        var cluster = ScaleInWorkload.Create(BenchmarkWorkload.Catalog, nodes);

        AssertNear(nodes, cluster.Cluster.Nodes.Count);
        AssertEveryPodFits(cluster);
    }

    [Fact]
    public void WorksOnTheShippedAwsCatalog()
    {
        var cluster = ScaleInWorkload.Create(ShippedCatalog.Value, nodes: 60, seed: 3);

        AssertNear(60, cluster.Cluster.Nodes.Count);
        AssertEveryPodFits(cluster);
        AssertNodesArePricedByTheCatalog(cluster);
    }

    [Fact]
    public void EveryRemainingPodIsBoundToANodeWithRoomForIt() =>
        Gen.Int[1, 10_000].Sample(
            seed =>
            {
                var cluster = ScaleInWorkload.Create(BenchmarkWorkload.Catalog, nodes: 25, seed: seed);
                AssertEveryPodFits(cluster);
                AssertNodesArePricedByTheCatalog(cluster);
            },
            iter: 8,
            threads: 1);

    [Fact]
    public void TheScaleInRemovesTheFractionAskedForAndTheRestIsPendingForAFreshSolve()
    {
        var cluster = ScaleInWorkload.Create(BenchmarkWorkload.Catalog, nodes: 60, scaleIn: 0.75, seed: 5);

        var bound = AppPods(cluster).ToList();
        Assert.Equal(Math.Round(0.75 * cluster.PodsBefore), cluster.PodsDeleted, 0);
        Assert.Equal(cluster.PodsBefore - cluster.PodsDeleted, bound.Count);
        Assert.Equal(bound.Select(Key).Order(StringComparer.Ordinal), cluster.Remaining.Pods.Select(Key).Order(StringComparer.Ordinal));
        Assert.All(cluster.Remaining.Pods, p => Assert.True(string.IsNullOrEmpty(p.Spec.NodeName), Key(p)));
        Assert.Empty(cluster.Remaining.Nodes);
        Assert.Equal(cluster.Cluster.NodePools, cluster.Remaining.NodePools);
        Assert.Equal(cluster.Cluster.DaemonSets, cluster.Remaining.DaemonSets);
        Assert.NotEmpty(cluster.Remaining.PodDisruptionBudgets);
    }

    [Fact]
    public void TheScaleInIsUnevenAcrossServicesAndNodes()
    {
        var before = ScaleInWorkload.Create(BenchmarkWorkload.Catalog, nodes: 80, scaleIn: 0, seed: 11);
        var after = ScaleInWorkload.Create(BenchmarkWorkload.Catalog, nodes: 80, scaleIn: 0.75, seed: 11);

        // Same seed and size: the same cluster before the deletions.
        Assert.Equal(0, before.PodsDeleted);
        Assert.Equal(before.Cluster.Nodes.Select(n => n.Name), after.Cluster.Nodes.Select(n => n.Name));

        var kept = AppPods(after).GroupBy(Service).ToDictionary(g => g.Key, g => g.Count());
        var keptShares = AppPods(before).GroupBy(Service)
            .Where(g => g.Count() >= 30)
            .Select(g => (double)kept.GetValueOrDefault(g.Key) / g.Count())
            .ToList();
        Assert.True(keptShares.Max() - keptShares.Min() > 0.15, string.Join(", ", keptShares));

        var keptOnNode = AppPods(after).GroupBy(p => p.Spec.NodeName).ToDictionary(g => g.Key, g => g.Count());
        var nodeShares = AppPods(before).GroupBy(p => p.Spec.NodeName)
            .Select(g => (double)keptOnNode.GetValueOrDefault(g.Key) / g.Count())
            .ToList();
        Assert.Contains(nodeShares, s => s == 0);
        Assert.Contains(nodeShares, s => s >= 0.5);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void AScaleInOutsideZeroToOneIsRejected(double scaleIn) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ScaleInWorkload.Create(BenchmarkWorkload.Catalog, nodes: 10, scaleIn: scaleIn));

    private static void AssertNear(int asked, int got) =>
        Assert.True(Math.Abs(got - asked) <= Math.Max(3, asked / 10), $"asked for {asked} nodes, got {got}");

    /// <summary>Requests of every bound pod, DaemonSet pods included, against the node's allocatable; taints and anti-affinity too.</summary>
    private static void AssertEveryPodFits(ScaleInCluster cluster)
    {
        var nodes = cluster.Cluster.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        foreach (var group in cluster.Cluster.Pods.GroupBy(p => p.Spec.NodeName))
        {
            Assert.True(nodes.TryGetValue(group.Key ?? "", out var node), $"pods bound to unknown node '{group.Key}'");
            var allocatable = node.Node.Status.Allocatable;
            var pods = group.ToList();
            Assert.True(pods.Sum(p => Request(p, "cpu")) <= allocatable["cpu"].ToDecimal(), $"{node.Name}: cpu overcommitted");
            Assert.True(pods.Sum(p => Request(p, "memory")) <= allocatable["memory"].ToDecimal(), $"{node.Name}: memory overcommitted");
            Assert.True(pods.Count <= allocatable["pods"].ToDecimal(), $"{node.Name}: too many pods");

            foreach (var pod in pods)
            {
                foreach (var taint in node.Node.Spec?.Taints ?? [])
                {
                    Assert.True(pod.Spec.Tolerations?.Any(t => (t.OperatorProperty == "Exists" && t.Key is null) || t.Key == taint.Key) == true,
                        $"{Key(pod)} does not tolerate {taint.Key} on {node.Name}");
                }

                foreach (var (key, value) in pod.Spec.NodeSelector ?? new Dictionary<string, string>())
                {
                    Assert.Equal(value, node.Node.Metadata.Labels.TryGetValue(key, out var label) ? label : null);
                }
            }

            var antiAffine = pods.Where(p => p.Spec.Affinity?.PodAntiAffinity is not null).GroupBy(Service);
            Assert.All(antiAffine, g => Assert.Single(g));
        }

        // Each node carries one DaemonSet pod; no app pod is left unbound.
        Assert.All(cluster.Cluster.Pods, p => Assert.False(string.IsNullOrEmpty(p.Spec.NodeName), Key(p)));
        Assert.Equal(nodes.Count, cluster.Cluster.Pods.Count(IsDaemonSetPod));
    }

    private static void AssertNodesArePricedByTheCatalog(ScaleInCluster cluster)
    {
        var types = cluster.Cluster.Catalog.InstanceTypes.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var node in cluster.Cluster.Nodes)
        {
            var labels = node.Node.Metadata.Labels;
            Assert.Equal(node.InstanceType, labels[WellKnownLabels.InstanceType]);
            Assert.Equal(node.Zone, labels[WellKnownLabels.Zone]);
            Assert.Equal(node.CapacityType, labels[WellKnownLabels.CapacityType]);
            Assert.Equal(node.NodePool, labels[WellKnownLabels.NodePool]);
            Assert.NotNull(node.NodeClaim);
            Assert.NotNull(node.InitializedAt);
            var offering = Assert.Single(types[node.InstanceType!].Offerings, o => o.Zone == node.Zone && o.CapacityType == node.CapacityType);
            Assert.Equal(offering.Price, node.PricePerHour);
        }
    }

    private static decimal Request(V1Pod pod, string resource) =>
        pod.Spec.Containers.Sum(c => c.Resources?.Requests is { } r && r.TryGetValue(resource, out var q) ? q.ToDecimal() : 0m);

    private static IEnumerable<V1Pod> AppPods(ScaleInCluster cluster) => cluster.Cluster.Pods.Where(p => !IsDaemonSetPod(p));

    private static bool IsDaemonSetPod(V1Pod pod) => pod.Metadata.OwnerReferences?.Any(o => o.Kind == "DaemonSet") == true;

    private static string Service(V1Pod pod) => pod.Metadata.Labels["app"];

    private static string Key(V1Pod pod) => $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";

    private static List<string> Fingerprint(ScaleInCluster cluster) =>
    [
        .. cluster.Cluster.Nodes.Select(n => $"{n.Name} {n.NodePool} {n.InstanceType} {n.Zone} {n.CapacityType} {n.PricePerHour} {n.CreatedAt:O}"),
        .. cluster.Cluster.Pods.Select(p => $"{Key(p)} -> {p.Spec.NodeName}"),
    ];

    private static List<string> Requests(ScaleInCluster cluster) =>
        [.. cluster.Remaining.Pods.Select(p => $"{Service(p)} {Request(p, "cpu")} {Request(p, "memory")}").Distinct().Order(StringComparer.Ordinal)];

    // Tests may run from an artifacts folder outside the repository: the catalog is found from this source file.
    private static string ShippedCatalogPath([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", "data", "aws-us-east-1-instance-types.json"));
}
