using k8s;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Scheduling.Tests.Workloads;

public sealed class BenchmarkWorkloadTests
{
    private static readonly string[] Cpus = ["100m", "250m", "500m", "1", "1500m"];
    private static readonly string[] Memories = ["100Mi", "256Mi", "512Mi", "1Gi", "2Gi", "4Gi"];
    private static readonly string[] LabelValues = ["a", "b", "c", "d", "e", "f", "g"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SameSeedGivesIdenticalPods(bool preferences)
    {
        var a = BenchmarkWorkload.Create(1000, preferences, seed: 7);
        var b = BenchmarkWorkload.Create(1000, preferences, seed: 7);
        Assert.Equal(Serialize(a.Pods), Serialize(b.Pods));
    }

    [Fact]
    public void DifferentSeedsGiveDifferentRequests()
    {
        var a = BenchmarkWorkload.Create(1000, seed: 1);
        var b = BenchmarkWorkload.Create(1000, seed: 2);
        Assert.NotEqual(Serialize(a.Pods), Serialize(b.Pods));
    }

    [Fact]
    public void CatalogHas400TypesWithStatedSizesOfferingsAndPrices()
    {
        var catalog = BenchmarkWorkload.Catalog;
        Assert.Equal(["test-zone-1", "test-zone-2", "test-zone-3"], catalog.Zones);
        Assert.Equal(400, catalog.InstanceTypes.Count);
        for (var i = 0; i < 400; i++)
        {
            var it = catalog.InstanceTypes[i];
            long n = i + 1;
            Assert.Equal($"fake-it-{i}", it.Name);
            Assert.Equal(new ResourceVector(n * 1000, 2 * n * (1L << 30), 10 * n), it.Allocatable);
            Assert.Equal(it.Allocatable, it.Capacity);
            Assert.Equal("amd64", it.Labels[WellKnownLabels.Arch]);
            Assert.Equal("linux", it.Labels[WellKnownLabels.Os]);
            Assert.Equal(it.Name, it.Labels[WellKnownLabels.InstanceType]);

            var expectedPrice = (0.1 * n) + (0.1 * (2.0 * n * (1L << 30) / 1e9));
            Assert.All(it.Offerings, o =>
            {
                Assert.Equal(expectedPrice, o.Price, 9);
                Assert.True(o.Available);
            });
            Assert.Equal(
                ["on-demand/test-zone-1", "on-demand/test-zone-2", "on-demand/test-zone-3", "spot/test-zone-1", "spot/test-zone-2"],
                it.Offerings.Select(o => $"{o.CapacityType}/{o.Zone}").Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void PriceOfSmallestAndLargestTypeMatchKarpentersFormula()
    {
        // fake-it-0: 1 vCPU, 2 GiB = 0.1 + 0.1 * 2.147483648; fake-it-399: 400 vCPU, 800 GiB.
        Assert.Equal(0.3147483648, BenchmarkWorkload.Catalog.InstanceTypes[0].Offerings[0].Price, 9);
        Assert.Equal(125.899345920, BenchmarkWorkload.Catalog.InstanceTypes[399].Offerings[0].Price, 6);
    }

    [Fact]
    public void OneDefaultNodePoolWithLimitsThatNeverBind()
    {
        var input = BenchmarkWorkload.Create(10);
        var pool = Assert.Single(input.NodePools);
        Assert.Equal("default", pool.Name);
        Assert.Empty(pool.Requirements);
        Assert.Empty(pool.Taints);
        var limits = Assert.NotNull(pool.LimitVector);
        Assert.True(limits.MilliCpu >= 1_000_000L * 1000);
        Assert.True(limits.Memory >= 1_000_000L * (1L << 30));
        Assert.Same(BenchmarkWorkload.Catalog, input.Catalog);
        Assert.Empty(input.Nodes);
        Assert.Empty(input.DaemonSets);
    }

    [Theory]
    [InlineData(1000, 200, 200)]
    [InlineData(1003, 203, 200)]
    [InlineData(20000, 4000, 4000)]
    [InlineData(4, 4, 0)]
    public void PodsSplitInFifthsWithTheRemainderPlain(int pods, int plain, int eachOther)
    {
        var input = BenchmarkWorkload.Create(pods);
        Assert.Equal(pods, input.Pods.Count);
        var kinds = input.Pods.Select(Classify).ToList();
        Assert.Equal(plain, kinds.Count(k => k == BenchmarkPodKind.Plain));
        foreach (var kind in new[] { BenchmarkPodKind.ZonalSpread, BenchmarkPodKind.HostnameSpread, BenchmarkPodKind.ZonalAffinity, BenchmarkPodKind.HostnameAntiAffinity })
        {
            Assert.Equal(eachOther, kinds.Count(k => k == kind));
        }

        // Blocks in Karpenter's order, and each pod's shape is the one KindOf says.
        Assert.Equal(Enumerable.Range(0, pods).Select(i => BenchmarkWorkload.KindOf(i, pods)), kinds);
    }

    [Fact]
    public void DiversePodsHaveTheStatedShape()
    {
        var pods = BenchmarkWorkload.Create(1000).Pods;
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"pod-{i}"), pods.Select(p => p.Metadata.Name));
        Assert.All(pods, p => Assert.Equal("default", p.Metadata.NamespaceProperty));
        Assert.Equal(1000, pods.Select(p => p.Metadata.Uid).Distinct(StringComparer.Ordinal).Count());
        Assert.All(pods, p => Assert.True(Guid.TryParse(p.Metadata.Uid, out _)));
        Assert.All(pods, p => Assert.Null(p.Spec.NodeName));

        foreach (var pod in pods)
        {
            var container = Assert.Single(pod.Spec.Containers);
            Assert.Equal(2, container.Resources.Requests.Count);
            Assert.Contains(container.Resources.Requests["cpu"].ToString(), Cpus);
            Assert.Contains(container.Resources.Requests["memory"].ToString(), Memories);

            switch (Classify(pod))
            {
                case BenchmarkPodKind.ZonalSpread:
                case BenchmarkPodKind.HostnameSpread:
                    var spread = Assert.Single(pod.Spec.TopologySpreadConstraints!);
                    Assert.Equal(1, spread.MaxSkew);
                    Assert.Equal("DoNotSchedule", spread.WhenUnsatisfiable);
                    Assert.Contains(pod.Metadata.Labels["my-label"], LabelValues);
                    Assert.Equal(pod.Metadata.Labels, spread.LabelSelector.MatchLabels);
                    break;
                case BenchmarkPodKind.ZonalAffinity:
                    var affinity = Assert.Single(pod.Spec.Affinity!.PodAffinity!.RequiredDuringSchedulingIgnoredDuringExecution!);
                    Assert.Equal(WellKnownLabels.Zone, affinity.TopologyKey);
                    Assert.Contains(pod.Metadata.Labels["my-affininity"], LabelValues);
                    Assert.Equal(pod.Metadata.Labels, affinity.LabelSelector.MatchLabels);
                    break;
                case BenchmarkPodKind.HostnameAntiAffinity:
                    var anti = Assert.Single(pod.Spec.Affinity!.PodAntiAffinity!.RequiredDuringSchedulingIgnoredDuringExecution!);
                    Assert.Equal(WellKnownLabels.Hostname, anti.TopologyKey);
                    Assert.Equal(new Dictionary<string, string> { ["app"] = "nginx" }, pod.Metadata.Labels);
                    Assert.Equal(pod.Metadata.Labels, anti.LabelSelector.MatchLabels);
                    break;
                default:
                    Assert.Null(pod.Spec.Affinity);
                    Assert.Null(pod.Spec.TopologySpreadConstraints);
                    Assert.Contains(pod.Metadata.Labels["my-label"], LabelValues);
                    break;
            }
        }
    }

    [Fact]
    public void EveryRequestAndLabelValueIsDrawn()
    {
        var pods = BenchmarkWorkload.Create(1000).Pods;
        var requests = pods.Select(p => p.Spec.Containers[0].Resources.Requests).ToList();
        Assert.Equal(Cpus.Order(StringComparer.Ordinal), requests.Select(r => r["cpu"].ToString()).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(Memories.Order(StringComparer.Ordinal), requests.Select(r => r["memory"].ToString()).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(LabelValues, pods.Where(p => p.Metadata.Labels.ContainsKey("my-label")).Select(p => p.Metadata.Labels["my-label"]).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PreferencePodsMirrorKarpentersRespectPreferencesShape()
    {
        var pods = BenchmarkWorkload.Create(4000, preferences: true).Pods;
        Assert.Equal(4000, pods.Count);
        foreach (var pod in pods)
        {
            Assert.Equal(new Dictionary<string, string> { ["app"] = "nginx" }, pod.Metadata.Labels);
            Assert.Null(pod.Spec.TopologySpreadConstraints);
            Assert.Null(pod.Spec.Affinity.PodAffinity);
            Assert.Null(pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
            Assert.Null(pod.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution);

            var node = Assert.Single(pod.Spec.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
            var expression = Assert.Single(node.Preference.MatchExpressions);
            Assert.Equal((WellKnownLabels.Zone, "In"), (expression.Key, expression.OperatorProperty));
            Assert.Equal(["test-zone-1"], expression.Values);

            var terms = pod.Spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution;
            Assert.Equal(2, terms.Count);
            Assert.All(terms, t => Assert.Equal(pod.Metadata.Labels, t.PodAffinityTerm.LabelSelector.MatchLabels));

            // Zonal anti-affinity among 4,000 pods over 3 zones cannot hold: the solver must relax it.
            Assert.Contains(terms, t => t.PodAffinityTerm.TopologyKey == WellKnownLabels.Zone && t.Weight == 10);
            Assert.Contains(terms, t => t.PodAffinityTerm.TopologyKey == WellKnownLabels.Hostname && t.Weight == 1);
            Assert.Contains(pod.Spec.Containers[0].Resources.Requests["cpu"].ToString(), Cpus);
        }
    }

    [Fact]
    public void NegativePodCountIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BenchmarkWorkload.Create(-1));

    private static BenchmarkPodKind Classify(V1Pod pod)
    {
        if (pod.Spec.TopologySpreadConstraints is [var spread])
        {
            return spread.TopologyKey == WellKnownLabels.Zone ? BenchmarkPodKind.ZonalSpread : BenchmarkPodKind.HostnameSpread;
        }

        if (pod.Spec.Affinity?.PodAffinity is not null)
        {
            return BenchmarkPodKind.ZonalAffinity;
        }

        return pod.Spec.Affinity?.PodAntiAffinity is not null ? BenchmarkPodKind.HostnameAntiAffinity : BenchmarkPodKind.Plain;
    }

    private static List<string> Serialize(IEnumerable<V1Pod> pods) => pods.Select(p => KubernetesJson.Serialize(p)).ToList();
}
