using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Workloads;

/// <summary>Karpenter's scheduling benchmark workload, reproduced (see docs/benchmarks.md).</summary>
public static class BenchmarkWorkload
{
    public const int InstanceTypeCount = 400;

    public const string NodePoolName = "default";

    /// <summary>Label of plain and spread pods; spread selectors match the pod's own value.</summary>
    public const string SpreadLabel = "my-label";

    /// <summary>Label of self-affinity pods; Karpenter's misspelling is kept so manifests compare one to one.</summary>
    public const string AffinityLabel = "my-affininity";

    private const long GiB = 1L << 30;

    private static readonly string[] LabelValues = ["a", "b", "c", "d", "e", "f", "g"];
    private static readonly string[] CpuChoices = ["100m", "250m", "500m", "1", "1500m"];
    private static readonly string[] MemoryChoices = ["100Mi", "256Mi", "512Mi", "1Gi", "2Gi", "4Gi"];
    private static readonly Lazy<InstanceTypeCatalog> LazyCatalog = new(BuildCatalog);

    /// <summary>test-zone-1..3; spot is offered in the first two only.</summary>
    public static IReadOnlyList<string> Zones { get; } = ["test-zone-1", "test-zone-2", "test-zone-3"];

    /// <summary>The 400 <c>fake-it-i</c> types (shared, immutable).</summary>
    public static InstanceTypeCatalog Catalog => LazyCatalog.Value;

    /// <summary>One NodePool, no requirements, limits high enough never to bind (Karpenter's benchmark had to fix exactly that).</summary>
    public static NodePool NodePool { get; } = new()
    {
        Name = NodePoolName,
        Limits = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ResourceNames.Cpu] = "1000000",
            [ResourceNames.Memory] = "1000000Gi",
        },
    };

    /// <summary>
    /// One NodePool with huge limits, 400 fake instance types and <paramref name="pods"/> diverse pods
    /// (or the preference pods when <paramref name="preferences"/> is set), generated from <paramref name="seed"/>.
    /// </summary>
    public static SchedulingInput Create(int pods, bool preferences = false, int seed = 42)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pods);
        var random = new Random(seed);
        var list = new List<V1Pod>(pods);
        for (var i = 0; i < pods; i++)
        {
            list.Add(preferences ? PreferencePod(i, seed, random) : DiversePod(i, KindOf(i, pods), seed, random));
        }

        return new SchedulingInput { Catalog = Catalog, NodePools = [NodePool], Pods = list };
    }

    /// <summary>
    /// Pods come in five blocks of <c>pods / 5</c> (Karpenter's order); the remainder is plain and goes last.
    /// </summary>
    internal static BenchmarkPodKind KindOf(int index, int pods)
    {
        var fifth = pods / 5;
        return fifth == 0 || index >= 5 * fifth ? BenchmarkPodKind.Plain : (BenchmarkPodKind)(index / fifth);
    }

    /// <summary>The price rule of Karpenter's fake provider: 0.1 per vCPU plus 0.1 per (decimal) GB.</summary>
    internal static double Price(long vcpus, long memoryBytes) => (0.1 * vcpus) + (0.1 * (memoryBytes / 1e9));

    private static InstanceTypeCatalog BuildCatalog()
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [WellKnownLabels.Arch] = "amd64",
            [WellKnownLabels.Os] = "linux",
        };
        var types = new List<InstanceType>(InstanceTypeCount);
        for (var i = 0; i < InstanceTypeCount; i++)
        {
            var vcpus = i + 1L;
            var memory = 2 * vcpus * GiB;
            var resources = new ResourceVector(vcpus * 1000, memory, 10 * vcpus);
            var price = Price(vcpus, memory);
            Offering[] offerings =
            [
                new(Zones[0], CapacityTypes.Spot, price),
                new(Zones[1], CapacityTypes.Spot, price),
                new(Zones[0], CapacityTypes.OnDemand, price),
                new(Zones[1], CapacityTypes.OnDemand, price),
                new(Zones[2], CapacityTypes.OnDemand, price),
            ];
            types.Add(new InstanceType($"fake-it-{i}", labels, resources, resources, offerings));
        }

        return new InstanceTypeCatalog(Zones, types);
    }

    private static V1Pod DiversePod(int index, BenchmarkPodKind kind, int seed, Random random)
    {
        var spec = new V1PodSpec();
        Dictionary<string, string> labels;
        switch (kind)
        {
            case BenchmarkPodKind.ZonalSpread:
            case BenchmarkPodKind.HostnameSpread:
                var value = Pick(random, LabelValues);
                labels = PodFactory.Labels(SpreadLabel, value);
                var key = kind == BenchmarkPodKind.ZonalSpread ? WellKnownLabels.Zone : WellKnownLabels.Hostname;
                spec.TopologySpreadConstraints = [PodFactory.Spread(key, SpreadLabel, value)];
                break;
            case BenchmarkPodKind.ZonalAffinity:
                var affinity = Pick(random, LabelValues);
                labels = PodFactory.Labels(AffinityLabel, affinity);
                spec.Affinity = new V1Affinity
                {
                    PodAffinity = new V1PodAffinity
                    {
                        RequiredDuringSchedulingIgnoredDuringExecution = [PodFactory.Term(WellKnownLabels.Zone, AffinityLabel, affinity)],
                    },
                };
                break;
            case BenchmarkPodKind.HostnameAntiAffinity:
                labels = PodFactory.Labels("app", "nginx");
                spec.Affinity = new V1Affinity
                {
                    PodAntiAffinity = new V1PodAntiAffinity
                    {
                        RequiredDuringSchedulingIgnoredDuringExecution = [PodFactory.Term(WellKnownLabels.Hostname, "app", "nginx")],
                    },
                };
                break;
            default:
                // Plain pods still carry my-label, as Karpenter's generic pods do, so spread selectors count them.
                labels = PodFactory.Labels(SpreadLabel, Pick(random, LabelValues));
                break;
        }

        spec.Containers = [PodFactory.Container(Pick(random, CpuChoices), Pick(random, MemoryChoices))];
        return PodFactory.Pending(PodFactory.DefaultNamespace, $"pod-{index}", PodFactory.Uid(seed, 0, index), labels, spec);
    }

    /// <summary>
    /// Karpenter's preference pods: all app=nginx, preferring test-zone-1 (satisfiable), zonal anti-affinity
    /// to each other at weight 10 (unsatisfiable past three pods, so it must be relaxed) and hostname
    /// anti-affinity at weight 1 (satisfiable, one pod per node).
    /// </summary>
    private static V1Pod PreferencePod(int index, int seed, Random random)
    {
        var spec = new V1PodSpec
        {
            Affinity = new V1Affinity
            {
                NodeAffinity = new V1NodeAffinity
                {
                    PreferredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1PreferredSchedulingTerm
                        {
                            Weight = 1,
                            Preference = new V1NodeSelectorTerm
                            {
                                MatchExpressions = [new V1NodeSelectorRequirement { Key = WellKnownLabels.Zone, OperatorProperty = "In", Values = [Zones[0]] }],
                            },
                        },
                    ],
                },
                PodAntiAffinity = new V1PodAntiAffinity
                {
                    PreferredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1WeightedPodAffinityTerm { Weight = 10, PodAffinityTerm = PodFactory.Term(WellKnownLabels.Zone, "app", "nginx") },
                        new V1WeightedPodAffinityTerm { Weight = 1, PodAffinityTerm = PodFactory.Term(WellKnownLabels.Hostname, "app", "nginx") },
                    ],
                },
            },
            Containers = [PodFactory.Container(Pick(random, CpuChoices), Pick(random, MemoryChoices))],
        };
        return PodFactory.Pending(PodFactory.DefaultNamespace, $"pod-{index}", PodFactory.Uid(seed, 1, index), PodFactory.Labels("app", "nginx"), spec);
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];
}
