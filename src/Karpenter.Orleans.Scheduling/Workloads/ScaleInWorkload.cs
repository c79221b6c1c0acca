using System.Globalization;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Workloads;

/// <summary>
/// A consolidation benchmark: a varied workload is provisioned onto about N nodes by the solver, then most of
/// its pods go away, unevenly across services and nodes, as after a real scale-in. Works on any catalog whose
/// types carry plain resources (the shipped AWS one, <see cref="BenchmarkWorkload.Catalog"/>).
/// </summary>
public static class ScaleInWorkload
{
    public const int DefaultNodes = 2_000;

    public const double DefaultScaleIn = 0.75;

    public const string GeneralNodePool = "general";

    public const string CriticalNodePool = "critical";

    /// <summary>Template label (and taint key) of the critical NodePool.</summary>
    public const string TierLabel = "workload-tier";

    /// <summary>The default clock of the generated cluster; nodes are created hours before it.</summary>
    public static readonly DateTimeOffset DefaultNow = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    // Nodes stay small (2..16 vCPU), so a few thousand nodes come from tens of thousands of pods, not millions.
    private const long MinNodeMilliCpu = 2_000;
    private const long MaxNodeMilliCpu = 16_000;

    // How far the node count may be from the one asked for before the workload is resized once.
    private const double NodeCountTolerance = 0.03;

    // The scale-in happened this long before Now, so consolidateAfter no longer holds nodes back.
    private static readonly TimeSpan SinceScaleIn = TimeSpan.FromMinutes(10);

    private static readonly ScaleInService[] Services =
    [
        new("web-frontend", "web", 250, 512, Weight: 22) { ZonalSpread = true },
        new("api", "web", 1000, 2048, Weight: 10) { ZonalSpread = true, PdbMaxUnavailable = "10%" },
        new("ingress", "web", 500, 512, Weight: 3) { HostnameAntiAffinity = true },
        new("orders", "commerce", 2000, 4096, Weight: 8),
        new("payments", "commerce", 1000, 4096, Weight: 4) { Critical = true },
        new("session-cache", "cache", 500, 6144, Weight: 6),
        new("workers", "jobs", 1000, 1024, Weight: 14),
        new("reports", "data", 2000, 8192, Weight: 5),
        new("notifications", "messaging", 100, 128, Weight: 18),
        new("ml-training", "ml", 4000, 8192, Weight: 1) { DoNotDisrupt = true },
        new("zookeeper", "streaming", 1000, 2048, FixedReplicas: 3) { HostnameAntiAffinity = true, PdbMaxUnavailable = "1", KeepOnScaleIn = true },
        new("kafka", "streaming", 2000, 8192, FixedReplicas: 6) { HostnameAntiAffinity = true, PdbMaxUnavailable = "1", KeepOnScaleIn = true },
    ];

    private static readonly double[] RequestScales = [0.75, 1.0, 1.25];

    /// <summary>
    /// Provisions a workload sized for about <paramref name="nodes"/> nodes on <paramref name="catalog"/>, then deletes
    /// <paramref name="scaleIn"/> of its pods. The seed varies the services' shares and requests and which pods go.
    /// </summary>
    public static ScaleInCluster Create(InstanceTypeCatalog catalog, int nodes = DefaultNodes, double scaleIn = DefaultScaleIn, int seed = 42, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        if (!(scaleIn is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(scaleIn), scaleIn, "must be at least 0 and less than 1");
        }

        var clock = now ?? DefaultNow;
        var mix = Mix(seed);
        var pools = NodePools(catalog);

        // Pods per node depend on the catalog and the mix; a solve at a tenth of the size measures it.
        var probePods = Math.Max(400, nodes * 2);
        var probe = ProvisioningSolver.Solve(Input(catalog, pools, mix, probePods, seed));
        var podsPerNode = (double)probe.Summary.Scheduled / Math.Max(1, probe.Summary.NodeClaims);
        var pods = Math.Max(FixedPods(), (int)Math.Round(nodes * podsPerNode));

        var input = Input(catalog, pools, mix, pods, seed);
        var result = ProvisioningSolver.Solve(input);

        // Large batches pack tighter than the probe; one correction brings the count within a few percent.
        var off = Math.Abs(result.Summary.NodeClaims - nodes);
        if (result.Summary.NodeClaims > 0 && off > Math.Max(2, nodes * NodeCountTolerance))
        {
            pods = Math.Max(FixedPods(), (int)Math.Round(pods * (double)nodes / result.Summary.NodeClaims));
            input = Input(catalog, pools, mix, pods, seed);
            result = ProvisioningSolver.Solve(input);
        }

        return Materialise(input, result, scaleIn, seed, clock);
    }

    /// <summary>The NodePools: a general one (spot or on-demand) and a tainted on-demand one, both over small types.</summary>
    public static IReadOnlyList<NodePool> NodePools(InstanceTypeCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var types = catalog.InstanceTypes.Where(IsSmallGeneralType).Select(t => t.Name).ToList();
        if (types.Count == 0)
        {
            throw new ArgumentException($"the catalog has no instance type with {MinNodeMilliCpu / 1000}..{MaxNodeMilliCpu / 1000} vCPU and no extended resources", nameof(catalog));
        }

        return
        [
            new NodePool
            {
                Name = GeneralNodePool,
                Weight = 50,
                Requirements =
                [
                    new(WellKnownLabels.InstanceType, RequirementOperator.In, types),
                    new(WellKnownLabels.CapacityType, RequirementOperator.In, [CapacityTypes.Spot, CapacityTypes.OnDemand]),
                ],
                Disruption = new NodePoolDisruption(ConsolidationPolicy.WhenEmptyOrUnderutilized, TimeSpan.FromMinutes(1), [DisruptionBudget.Default]),
            },
            new NodePool
            {
                Name = CriticalNodePool,
                Weight = 90,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { [TierLabel] = "critical" },
                Taints = [new V1Taint { Key = TierLabel, Value = "critical", Effect = "NoSchedule" }],
                Requirements =
                [
                    new(WellKnownLabels.InstanceType, RequirementOperator.In, types),
                    new(WellKnownLabels.CapacityType, RequirementOperator.In, [CapacityTypes.OnDemand]),
                ],
                Disruption = new NodePoolDisruption(ConsolidationPolicy.WhenEmptyOrUnderutilized, TimeSpan.FromMinutes(5), [new DisruptionBudget("2")]),
            },
        ];
    }

    private static bool IsSmallGeneralType(InstanceType type) =>
        type.Allocatable.MilliCpu is >= MinNodeMilliCpu and <= MaxNodeMilliCpu &&
        type.Allocatable.Extended is null &&
        type.Offerings.Count > 0 &&
        (!type.Labels.TryGetValue(WellKnownLabels.Arch, out var arch) || arch == "amd64") &&
        (!type.Labels.TryGetValue(WellKnownLabels.Os, out var os) || os == "linux");

    /// <summary>This seed's services: shares jittered by ±40%, requests scaled by one of ¾, 1, 1¼.</summary>
    private static List<ScaleInService> Mix(int seed)
    {
        var random = new Random(seed);
        return Services.Select(s =>
        {
            var weight = s.Weight * (0.6 + (0.8 * random.NextDouble()));
            var scale = RequestScales[random.Next(RequestScales.Length)];
            return s with
            {
                Weight = (int)Math.Round(weight * 100),
                MilliCpu = (long)(s.MilliCpu * scale),
                MemoryMi = (long)(s.MemoryMi * scale),
            };
        }).ToList();
    }

    private static int FixedPods() => Services.Sum(s => s.FixedReplicas ?? 0);

    private static SchedulingInput Input(InstanceTypeCatalog catalog, IReadOnlyList<NodePool> pools, List<ScaleInService> mix, int pods, int seed)
    {
        var replicas = Replicas(mix, pods);
        var list = new List<V1Pod>(pods);
        for (var s = 0; s < mix.Count; s++)
        {
            for (var i = 0; i < replicas[s]; i++)
            {
                list.Add(Pod(mix[s], i, PodFactory.Uid(seed, 3, list.Count), nodeName: null));
            }
        }

        return new SchedulingInput
        {
            Catalog = catalog,
            NodePools = pools,
            Pods = list,
            DaemonSets = [DaemonSet()],
            PodDisruptionBudgets = [.. mix.Where(s => s.PdbMaxUnavailable is not null).Select(Pdb)],
        };
    }

    /// <summary>Fixed replicas first, the rest by weight (largest remainders), so the total is exactly <paramref name="pods"/>.</summary>
    private static int[] Replicas(List<ScaleInService> mix, int pods)
    {
        var replicas = new int[mix.Count];
        var left = pods;
        for (var s = 0; s < mix.Count; s++)
        {
            if (mix[s].FixedReplicas is { } fixedCount)
            {
                replicas[s] = Math.Min(fixedCount, left);
                left -= replicas[s];
            }
        }

        long total = mix.Where(s => s.FixedReplicas is null).Sum(s => (long)s.Weight);
        var share = left;
        var remainders = new List<(long Remainder, int Index)>();
        for (var s = 0; s < mix.Count; s++)
        {
            if (mix[s].FixedReplicas is null)
            {
                var exact = (long)share * mix[s].Weight;
                replicas[s] = (int)(exact / total);
                left -= replicas[s];
                remainders.Add((exact % total, s));
            }
        }

        foreach (var (_, s) in remainders.OrderByDescending(r => r.Remainder).ThenBy(r => r.Index).Take(left))
        {
            replicas[s]++;
        }

        return replicas;
    }

    private static ScaleInCluster Materialise(SchedulingInput input, SchedulingResult result, double scaleIn, int seed, DateTimeOffset now)
    {
        var random = new Random(unchecked((seed * 31) + 7));
        var types = input.Catalog.InstanceTypes.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var podsByName = input.Pods.ToDictionary(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}", StringComparer.Ordinal);
        var kept = Services.Where(s => s.KeepOnScaleIn).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

        // Which pods go: the top scores, where a score mixes a bias per service, a bias per node and noise,
        // so some services shrink far more than others and some nodes drain while their neighbours stay full.
        var serviceBias = Services.ToDictionary(s => s.Name, _ => 0.8 * random.NextDouble(), StringComparer.Ordinal);
        var placed = new List<(V1Pod Pod, string Node, double Score)>();
        foreach (var claim in result.NodeClaims)
        {
            var nodeBias = 0.7 * random.NextDouble();
            foreach (var name in claim.Pods)
            {
                var pod = podsByName[name];
                var service = pod.Metadata.Labels["app"];
                var noise = 0.6 * random.NextDouble();
                placed.Add((pod, claim.Name, kept.Contains(service) ? double.NegativeInfinity : serviceBias[service] + nodeBias + noise));
            }
        }

        var deleteCount = (int)Math.Round(scaleIn * placed.Count);
        var deleted = placed
            .Select((p, i) => (p.Score, Index: i))
            .Where(p => !double.IsNegativeInfinity(p.Score))
            .OrderByDescending(p => p.Score).ThenBy(p => p.Index)
            .Take(deleteCount)
            .Select(p => p.Index)
            .ToHashSet();

        var nodes = new List<ClusterNode>(result.NodeClaims.Count);
        var bound = new List<V1Pod>();
        var remaining = new List<V1Pod>();
        var daemonSet = input.DaemonSets[0];
        foreach (var claim in result.NodeClaims)
        {
            // Nodes came up over the last three days.
            var createdAt = now - TimeSpan.FromMinutes(30 + random.Next(3 * 24 * 60));
            nodes.Add(ClusterNode(claim, types[claim.InstanceType], createdAt, now));
            bound.Add(DaemonSetPod(daemonSet, claim.Name));
        }

        for (var i = 0; i < placed.Count; i++)
        {
            if (!deleted.Contains(i))
            {
                var (pod, node, _) = placed[i];
                bound.Add(Bound(pod, node));
                remaining.Add(pod);
            }
        }

        return new ScaleInCluster
        {
            Cluster = new DisruptionInput
            {
                Catalog = input.Catalog,
                NodePools = input.NodePools,
                Nodes = nodes,
                Pods = bound,
                DaemonSets = input.DaemonSets,
                PodDisruptionBudgets = input.PodDisruptionBudgets,
                Now = now,
            },
            Remaining = input with { Pods = remaining },
            PodsBefore = placed.Count,
            PodsDeleted = deleted.Count,
        };
    }

    private static ClusterNode ClusterNode(PlannedNodeClaim claim, InstanceType type, DateTimeOffset createdAt, DateTimeOffset now)
    {
        var labels = new Dictionary<string, string>(type.Labels, StringComparer.Ordinal);
        foreach (var (key, value) in claim.Labels)
        {
            labels[key] = value;
        }

        labels[WellKnownLabels.Hostname] = claim.Name;
        var node = new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = claim.Name,
                Labels = labels,
                CreationTimestamp = createdAt.UtcDateTime,
                OwnerReferences = [new V1OwnerReference { ApiVersion = "karpenter.sh/v1", Kind = "NodeClaim", Name = claim.Name, Uid = $"nodeclaim/{claim.Name}" }],
            },
            Spec = new V1NodeSpec { Taints = claim.Taints.Count > 0 ? [.. claim.Taints] : null },
            Status = new V1NodeStatus
            {
                Capacity = Quantities(type.Capacity),
                Allocatable = Quantities(type.Allocatable),
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
            },
        };
        return new ClusterNode
        {
            Node = node,
            NodeClaim = claim.Name,
            NodePool = claim.NodePool,
            InstanceType = claim.InstanceType,
            Zone = claim.Zone,
            CapacityType = claim.CapacityType,
            PricePerHour = claim.PricePerHour,
            CreatedAt = createdAt,
            InitializedAt = createdAt + TimeSpan.FromMinutes(1),
            LastPodEventAt = now - SinceScaleIn,
        };
    }

    private static Dictionary<string, ResourceQuantity> Quantities(ResourceVector vector) =>
        vector.ToQuantityStrings().ToDictionary(q => q.Key, q => new ResourceQuantity(q.Value), StringComparer.Ordinal);

    private static V1Pod Pod(ScaleInService s, int index, string uid, string? nodeName)
    {
        var labels = PodFactory.Labels("app", s.Name);
        var spec = new V1PodSpec
        {
            Containers = [PodFactory.Container(ResourceVector.FormatMilli(s.MilliCpu), string.Create(CultureInfo.InvariantCulture, $"{s.MemoryMi}Mi"))],
            NodeName = nodeName,
        };
        if (s.Critical)
        {
            spec.NodeSelector = new Dictionary<string, string>(StringComparer.Ordinal) { [TierLabel] = "critical" };
            spec.Tolerations = [new V1Toleration { Key = TierLabel, OperatorProperty = "Equal", Value = "critical", Effect = "NoSchedule" }];
        }

        if (s.ZonalSpread)
        {
            spec.TopologySpreadConstraints = [PodFactory.Spread(WellKnownLabels.Zone, "app", s.Name)];
        }

        if (s.HostnameAntiAffinity)
        {
            spec.Affinity = new V1Affinity
            {
                PodAntiAffinity = new V1PodAntiAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = [PodFactory.Term(WellKnownLabels.Hostname, "app", s.Name)],
                },
            };
        }

        var pod = PodFactory.Pending(s.Namespace, $"{s.Name}-{index}", uid, labels, spec);
        pod.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = s.Name, Uid = $"{s.Namespace}/ReplicaSet/{s.Name}", Controller = true }];
        if (s.DoNotDisrupt)
        {
            pod.Metadata.Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [WellKnownLabels.DoNotDisruptAnnotation] = "true" };
        }

        return pod;
    }

    /// <summary>The same pod running on <paramref name="node"/> (a copy: the pending one stays for the fresh solve).</summary>
    private static V1Pod Bound(V1Pod pod, string node) => new()
    {
        ApiVersion = pod.ApiVersion,
        Kind = pod.Kind,
        Metadata = pod.Metadata,
        Spec = new V1PodSpec
        {
            Containers = pod.Spec.Containers,
            NodeSelector = pod.Spec.NodeSelector,
            Tolerations = pod.Spec.Tolerations,
            TopologySpreadConstraints = pod.Spec.TopologySpreadConstraints,
            Affinity = pod.Spec.Affinity,
            NodeName = node,
        },
        Status = Running(),
    };

    private static V1Pod DaemonSetPod(V1DaemonSet daemonSet, string node) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta
        {
            Name = $"{daemonSet.Metadata.Name}-{node}",
            NamespaceProperty = daemonSet.Metadata.NamespaceProperty,
            Uid = $"{daemonSet.Metadata.NamespaceProperty}/{daemonSet.Metadata.Name}-{node}",
            Labels = daemonSet.Spec.Template.Metadata.Labels,
            OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "DaemonSet", Name = daemonSet.Metadata.Name, Uid = $"ds/{daemonSet.Metadata.Name}", Controller = true }],
        },
        Spec = new V1PodSpec
        {
            Containers = daemonSet.Spec.Template.Spec.Containers,
            Tolerations = daemonSet.Spec.Template.Spec.Tolerations,
            NodeName = node,
        },
        Status = Running(),
    };

    private static V1PodStatus Running() => new()
    {
        Phase = "Running",
        Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "True" }, new V1PodCondition { Type = "Ready", Status = "True" }],
    };

    /// <summary>A node agent on every node (it tolerates every taint), as log and metrics agents are.</summary>
    private static V1DaemonSet DaemonSet()
    {
        var labels = PodFactory.Labels("app", "node-agent");
        return new V1DaemonSet
        {
            ApiVersion = "apps/v1",
            Kind = "DaemonSet",
            Metadata = new V1ObjectMeta { Name = "node-agent", NamespaceProperty = "monitoring", Labels = labels },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Containers = [PodFactory.Container("100m", "128Mi")],
                        Tolerations = [new V1Toleration { OperatorProperty = "Exists" }],
                    },
                },
            },
        };
    }

    private static V1PodDisruptionBudget Pdb(ScaleInService s) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = new V1ObjectMeta { Name = s.Name, NamespaceProperty = s.Namespace },
        Spec = new V1PodDisruptionBudgetSpec
        {
            MaxUnavailable = s.PdbMaxUnavailable,
            Selector = PodFactory.Selector("app", s.Name),
        },
    };
}
