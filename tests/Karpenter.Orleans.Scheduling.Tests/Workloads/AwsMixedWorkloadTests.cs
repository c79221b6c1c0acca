using System.Globalization;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Scheduling.Tests.Workloads;

public sealed partial class AwsMixedWorkloadTests
{
    private static readonly InstanceTypeCatalog Catalog = AwsTestCatalog.Create();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(997)]
    [InlineData(10000)]
    [InlineData(25001)]
    public void TotalPodCountEqualsTheRequest(int pods)
    {
        var input = AwsMixedWorkload.Create(Catalog, pods);
        Assert.Equal(pods, input.Pods.Count);
        Assert.Equal(pods, AwsMixedWorkload.Replicas(pods).Sum());
        Assert.Equal(pods, input.Pods.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}").Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(pods, input.Pods.Select(p => p.Metadata.Uid).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void SameSeedGivesIdenticalInput()
    {
        var a = AwsMixedWorkload.Create(Catalog, 2000, seed: 3);
        var b = AwsMixedWorkload.Create(Catalog, 2000, seed: 3);
        Assert.Equal(Serialize(a.Pods), Serialize(b.Pods));
        Assert.Equal(Serialize(a.DaemonSets), Serialize(b.DaemonSets));
        Assert.Equal(Serialize(a.PodDisruptionBudgets), Serialize(b.PodDisruptionBudgets));
        Assert.Equal(a.NodePools, b.NodePools, NodePoolJsonComparer.Instance);
    }

    [Fact]
    public void AnotherSeedShufflesTheSamePods()
    {
        var a = AwsMixedWorkload.Create(Catalog, 2000, seed: 3).Pods.Select(p => p.Metadata.Name).ToList();
        var b = AwsMixedWorkload.Create(Catalog, 2000, seed: 4).Pods.Select(p => p.Metadata.Name).ToList();
        Assert.NotEqual(a, b);
        Assert.Equal(a.Order(StringComparer.Ordinal), b.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TenThousandPodsComeFromAboutFifteenRealisticDeployments()
    {
        var input = AwsMixedWorkload.Create(Catalog, 10000);
        var byApp = input.Pods.GroupBy(p => p.Metadata.Labels["app"]).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        Assert.InRange(byApp.Count, 14, 20);

        // Hostname anti-affinity only on small, fixed replica counts (one node each).
        var anti = byApp.Where(g => g.Value[0].Spec.Affinity?.PodAntiAffinity is not null).ToList();
        Assert.InRange(anti.Count, 2, 3);
        Assert.All(anti, g => Assert.InRange(g.Value.Count, 1, 10));
        Assert.All(anti, g =>
        {
            var term = Assert.Single(g.Value[0].Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
            Assert.Equal(WellKnownLabels.Hostname, term.TopologyKey);
            Assert.Equal(g.Key, term.LabelSelector.MatchLabels["app"]);
        });

        Assert.Contains(byApp.Values, g => g[0].Spec.NodeSelector is { } selector && selector.TryGetValue(WellKnownLabels.Arch, out var arch) && arch == "arm64");
        Assert.Contains(byApp.Values, g => g[0].Spec.TopologySpreadConstraints?.Any(c => c.TopologyKey == WellKnownLabels.Zone && c.WhenUnsatisfiable == "DoNotSchedule") == true);

        var gpu = Assert.Single(byApp.Values, g => g[0].Spec.Containers[0].Resources.Requests.ContainsKey("nvidia.com/gpu"));
        Assert.Equal("1", gpu[0].Spec.Containers[0].Resources.Requests["nvidia.com/gpu"].ToString());
        Assert.Contains(gpu[0].Spec.Tolerations, t => t.Key == "nvidia.com/gpu" && t.Effect == "NoSchedule");

        // Every pod of a deployment is the same pod.
        Assert.All(byApp.Values, g => Assert.Single(g.Select(p => KubernetesJson.Serialize(p.Spec)).Distinct(StringComparer.Ordinal)));
        Assert.All(input.Pods, p => Assert.Null(p.Spec.NodeName));
    }

    [Fact]
    public void TwoDaemonSetsThatRunOnEveryNode()
    {
        var input = AwsMixedWorkload.Create(Catalog, 100);
        Assert.Equal(2, input.DaemonSets.Count);
        Assert.Equal(
            ["cpu=100m,memory=128Mi,pods=0", "cpu=200m,memory=256Mi,pods=0"],
            input.DaemonSets.Select(d => ResourceVector.FromQuantities(d.Spec.Template.Spec.Containers[0].Resources.Requests).ToString()).Order(StringComparer.Ordinal));
        Assert.All(input.DaemonSets, d => Assert.Contains(d.Spec.Template.Spec.Tolerations, t => t.OperatorProperty == "Exists" && t.Key is null));
    }

    [Fact]
    public void NodePoolsValidateTheirInvariants()
    {
        var pools = AwsMixedWorkload.Create(Catalog, 10).NodePools;
        Assert.InRange(pools.Count, 2, 10);
        Assert.Equal(pools.Count, pools.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(pools, p => p.Name == "general" && p.Weight == 50);
        Assert.Contains(pools, p => p.Name == "gpu" && p.Taints.Any(t => t.Key == "nvidia.com/gpu" && t.Effect == "NoSchedule"));
        foreach (var pool in pools)
        {
            Assert.Matches(DnsLabel(), pool.Name);
            Assert.InRange(pool.Weight, 1, 100);
            Assert.NotNull(pool.NodeClassRef);
            Assert.InRange(pool.Requirements.Count, 1, 100);
            foreach (var r in pool.Requirements)
            {
                Assert.NotEqual(WellKnownLabels.NodePool, r.Key);
                Assert.True(Catalog.WellKnownLabelKeys.Contains(r.Key), $"{pool.Name}: {r.Key} is not a label the catalog knows");
                switch (r.Operator)
                {
                    case RequirementOperator.In or RequirementOperator.NotIn:
                        Assert.NotEmpty(r.Values);
                        break;
                    case RequirementOperator.Gt or RequirementOperator.Lt or RequirementOperator.Gte or RequirementOperator.Lte:
                        var bound = Assert.Single(r.Values);
                        Assert.True(long.TryParse(bound, NumberStyles.None, CultureInfo.InvariantCulture, out _), $"{pool.Name}: {r.Key} {r.Operator} {bound}");
                        break;
                    default:
                        Assert.Empty(r.Values);
                        break;
                }

                Assert.False(Requirement.From(r).IsEmpty);
            }

            Assert.All(pool.Labels.Keys, k => Assert.False(k.StartsWith("karpenter.sh/", StringComparison.Ordinal) || k == WellKnownLabels.Hostname));
            Assert.All(pool.Taints, t => Assert.Contains(t.Effect, new[] { "NoSchedule", "PreferNoSchedule", "NoExecute" }));
            Assert.Equal(pool.Taints.Count, pool.Taints.Select(t => (t.Key, t.Effect)).Distinct().Count());

            var limits = Assert.NotNull(pool.LimitVector);
            Assert.True(limits.MilliCpu > 0);
            Assert.InRange(pool.Disruption.Budgets.Count, 1, 50);
            Assert.All(pool.Disruption.Budgets, b =>
            {
                Assert.Matches(BudgetNodes(), b.Nodes);
                Assert.Equal(b.Schedule is null, b.Duration is null);
            });

            // Something in the catalog satisfies the NodePool, with an offering of an allowed capacity type.
            Assert.Contains(Catalog.InstanceTypes, it => Admits(pool, it, new Dictionary<string, string>()));
        }
    }

    [Fact]
    public void EveryDeploymentHasANodePoolAndATypeItFits()
    {
        var input = AwsMixedWorkload.Create(Catalog, 10000);
        var overhead = input.DaemonSets.Aggregate(ResourceVector.Zero, (sum, d) => sum + Requests(d.Spec.Template.Spec));
        foreach (var pod in input.Pods.DistinctBy(p => p.Metadata.Labels["app"]))
        {
            var need = Requests(pod.Spec) + overhead;
            var selector = pod.Spec.NodeSelector ?? new Dictionary<string, string>();
            var homes = input.NodePools
                .Where(pool => pool.Taints.All(t => Tolerates(pod.Spec.Tolerations, t)))
                .Where(pool => Catalog.InstanceTypes.Any(it => Admits(pool, it, selector) && need.FitsIn(it.Allocatable)))
                .Select(pool => pool.Name)
                .ToList();
            Assert.True(homes.Count > 0, $"{pod.Metadata.Labels["app"]} ({need}) fits no NodePool");
        }
    }

    [Fact]
    public void CriticalAndGpuPodsLandOnlyOnTheirTaintedPools()
    {
        var input = AwsMixedWorkload.Create(Catalog, 10000);
        var general = input.NodePools.Single(p => p.Name == "general");
        foreach (var pod in input.Pods.DistinctBy(p => p.Metadata.Labels["app"]))
        {
            var tainted = input.NodePools.Where(p => p.Taints.Count > 0 && p.Taints.All(t => Tolerates(pod.Spec.Tolerations, t))).ToList();
            var needsGpu = pod.Spec.Containers[0].Resources.Requests.ContainsKey("nvidia.com/gpu");
            var critical = pod.Spec.NodeSelector?.ContainsKey(AwsMixedWorkload.TierLabel) == true;
            Assert.Equal(needsGpu || critical, tainted.Count > 0);
            if (needsGpu || critical)
            {
                // The general pool must not take them: no GPUs there, and it does not define the tier label.
                Assert.DoesNotContain(Catalog.InstanceTypes, it => Admits(general, it, pod.Spec.NodeSelector ?? new Dictionary<string, string>()) && Requests(pod.Spec).FitsIn(it.Allocatable));
            }
        }
    }

    [Fact]
    public void TenThousandPodsStayWithinTheGeneralPoolsLimits()
    {
        var input = AwsMixedWorkload.Create(Catalog, 10000);
        var total = input.Pods.Aggregate(ResourceVector.Zero, (sum, p) => sum + Requests(p.Spec));
        var general = Assert.NotNull(input.NodePools.Single(p => p.Name == "general").LimitVector);

        // Requests plus generous room for DaemonSets and packing slack stay under the limit, so it never binds.
        Assert.True(total.MilliCpu * 2 < general.MilliCpu, $"{total.MilliCpu}m requested");
        Assert.True(total.Memory * 2 < general.Memory, $"{total.Memory} bytes requested");
    }

    [Fact]
    public void FixedReplicasComeFirstAndTheRestIsSplitByWeight()
    {
        var specs = AwsMixedWorkload.DeploymentSpecs;
        var replicas = AwsMixedWorkload.Replicas(10000);
        for (var d = 0; d < specs.Count; d++)
        {
            if (specs[d].FixedReplicas is { } fixedCount)
            {
                Assert.Equal(fixedCount, replicas[d]);
            }
            else
            {
                Assert.True(replicas[d] > 0, specs[d].Name);
            }
        }

        // Fewer pods than the fixed replicas: the fixed deployments take what there is, in order.
        var small = AwsMixedWorkload.Replicas(4);
        Assert.Equal([3, 1], small.Take(2));
        Assert.All(small.Skip(2), r => Assert.Equal(0, r));
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => AwsMixedWorkload.Create(null!, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => AwsMixedWorkload.Create(Catalog, -1));
    }

    /// <summary>
    /// Whether a node of <paramref name="it"/> from <paramref name="pool"/> could satisfy the NodePool and a
    /// pod's nodeSelector: labels from the type, the NodePool template and an allowed offering.
    /// </summary>
    private static bool Admits(NodePool pool, InstanceType it, IDictionary<string, string> selector)
    {
        var requirements = pool.TemplateRequirements;
        foreach (var (key, value) in selector)
        {
            if (!requirements.Has(key) && !Catalog.WellKnownLabelKeys.Contains(key))
            {
                return false; // a custom label the NodePool does not define
            }

            requirements = requirements.Add(Requirement.In(key, value));
        }

        var offeringKeys = new[] { WellKnownLabels.CapacityType, WellKnownLabels.Zone, WellKnownLabels.NodePool };
        var typeOnly = offeringKeys.Aggregate(requirements, (set, key) => set.Remove(key));
        foreach (var (key, value) in pool.Labels)
        {
            typeOnly = typeOnly.Remove(key);
            if (!requirements[key]!.Has(value))
            {
                return false;
            }
        }

        return typeOnly.MatchesLabels(it.Labels)
            && it.Offerings.Any(o => o.Available
                && (requirements[WellKnownLabels.CapacityType]?.Has(o.CapacityType) ?? true)
                && (requirements[WellKnownLabels.Zone]?.Has(o.Zone) ?? true));
    }

    private static bool Tolerates(IList<V1Toleration>? tolerations, V1Taint taint) =>
        tolerations?.Any(t =>
            (t.Effect is null || t.Effect == taint.Effect)
            && (t.OperatorProperty == "Exists"
                ? t.Key is null || t.Key == taint.Key
                : t.Key == taint.Key && t.Value == taint.Value)) == true;

    private static ResourceVector Requests(V1PodSpec spec) =>
        spec.Containers.Aggregate(new ResourceVector(0, 0, 1), (sum, c) => sum + ResourceVector.FromQuantities(c.Resources.Requests));

    private static List<string> Serialize<T>(IEnumerable<T> items) => items.Select(i => KubernetesJson.Serialize(i)).ToList();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^((100|[0-9]{1,2})%|[0-9]+)$")]
    private static partial Regex BudgetNodes();
}
