using k8s;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Scheduling.Tests.Workloads;

/// <summary>The AWS mix's topology variants drop only topology constraints: the pods and their requests stay the same.</summary>
public sealed class AwsTopologyTests
{
    private const int Pods = 2_000;

    private static readonly InstanceTypeCatalog Catalog = AwsTestCatalog.Create();

    // From the deployment table: the deployments with a required zonal spread.
    private static readonly string[] ZonalApps = ["api-gateway", "payments-service", "web-frontend", "zookeeper"];

    private static SchedulingInput Create(AwsTopology topology) => AwsMixedWorkload.Create(Catalog, Pods, 7, topology);

    private static string App(V1Pod p) => p.Metadata.Labels["app"];

    private static IEnumerable<V1TopologySpreadConstraint> Spreads(V1Pod p) => p.Spec.TopologySpreadConstraints ?? [];

    private static string[] AppsWhere(SchedulingInput input, Func<V1Pod, bool> predicate) =>
        [.. input.Pods.Where(predicate).Select(App).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static bool HasZonalSpread(V1Pod p) =>
        Spreads(p).Any(s => s.TopologyKey == WellKnownLabels.Zone && s.WhenUnsatisfiable == "DoNotSchedule");

    [Fact]
    public void FullKeepsHostnameAntiAffinityHostnameSpreadAndZonalSpread()
    {
        // The baseline the other variants are measured against: without it, "none left" would prove nothing.
        var input = Create(AwsTopology.Full);

        Assert.Equal(["kafka", "zookeeper"], AppsWhere(input, p => p.Spec.Affinity?.PodAntiAffinity is not null));
        Assert.Equal(["queue-worker"], AppsWhere(input, p => Spreads(p).Any(s => s.TopologyKey == WellKnownLabels.Hostname)));
        Assert.Equal(ZonalApps, AppsWhere(input, HasZonalSpread));
    }

    [Fact]
    public void NoHostnameDropsHostnameConstraintsButKeepsZonalSpreads()
    {
        var input = Create(AwsTopology.NoHostname);

        Assert.All(input.Pods, p => Assert.Null(p.Spec.Affinity?.PodAntiAffinity));
        Assert.All(input.Pods, p => Assert.DoesNotContain(Spreads(p), s => s.TopologyKey == WellKnownLabels.Hostname));
        Assert.Equal(ZonalApps, AppsWhere(input, HasZonalSpread));
        Assert.All(input.Pods.Where(HasZonalSpread), p => Assert.Single(Spreads(p)));
    }

    [Fact]
    public void NoneHasNoTopologySpreadNorPodAffinity()
    {
        var input = Create(AwsTopology.None);

        Assert.All(input.Pods, p => Assert.Null(p.Spec.TopologySpreadConstraints));
        Assert.All(input.Pods, p => Assert.Null(p.Spec.Affinity?.PodAffinity));
        Assert.All(input.Pods, p => Assert.Null(p.Spec.Affinity?.PodAntiAffinity));
    }

    [Theory]
    [InlineData(AwsTopology.NoHostname)]
    [InlineData(AwsTopology.None)]
    public void EveryVariantHasTheSamePodsRequestsAndNodeSelection(AwsTopology topology)
    {
        var full = Create(AwsTopology.Full);
        var variant = Create(topology);

        // Same names in the same shuffled order, same containers, selectors and tolerations.
        Assert.Equal(Pods, variant.Pods.Count);
        Assert.Equal(full.Pods.Select(Key), variant.Pods.Select(Key));
        Assert.Equal(full.Pods.Select(p => Json(p.Spec.Containers)), variant.Pods.Select(p => Json(p.Spec.Containers)));
        Assert.Equal(full.Pods.Select(p => Json(p.Spec.NodeSelector)), variant.Pods.Select(p => Json(p.Spec.NodeSelector)));
        Assert.Equal(full.Pods.Select(p => Json(p.Spec.Tolerations)), variant.Pods.Select(p => Json(p.Spec.Tolerations)));
        Assert.Equal(full.NodePools, variant.NodePools, NodePoolJsonComparer.Instance);
        Assert.Equal(KubernetesJson.Serialize(full.DaemonSets), KubernetesJson.Serialize(variant.DaemonSets));

        static string Key(V1Pod p) => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}";
        static string Json(object? value) => value is null ? "null" : KubernetesJson.Serialize(value);
    }
}
