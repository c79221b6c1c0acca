using System.Runtime.InteropServices;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Scheduling.Workloads;

/// <summary>A realistic mixed workload on a real catalog (the shipped us-east-1 one), for benchmarks.</summary>
public static class AwsMixedWorkload
{
    public const string InstanceCategoryLabel = "karpenter.k8s.aws/instance-category";
    public const string InstanceGenerationLabel = "karpenter.k8s.aws/instance-generation";
    public const string InstanceSizeLabel = "karpenter.k8s.aws/instance-size";
    public const string GpuManufacturerLabel = "karpenter.k8s.aws/instance-gpu-manufacturer";

    /// <summary>Template label (and taint key) of the critical NodePool.</summary>
    public const string TierLabel = "workload-tier";

    private static readonly NodeClassReference NodeClass = new("karpenter.k8s.aws", "EC2NodeClass", "default");

    // Sizes follow what such services typically request; weights are shares of the scaled pods.
    private static readonly AwsDeployment[] Deployments =
    [
        new("zookeeper", "streaming", "1", "2Gi", FixedReplicas: 3) { HostnameAntiAffinity = true, ZonalSpread = true },
        new("kafka", "streaming", "4", "16Gi", FixedReplicas: 6) { HostnameAntiAffinity = true },
        new("web-frontend", "web", "250m", "512Mi", 180) { ZonalSpread = true },
        new("api-gateway", "web", "1", "2Gi", 60) { ZonalSpread = true },
        new("orders-service", "commerce", "2", "8Gi", 50) { Arch = "amd64" },
        new("inventory-service", "commerce", "2", "8Gi", 40),
        new("payments-service", "commerce", "2", "8Gi", 20) { Critical = true, ZonalSpread = true },
        new("session-cache", "cache", "500m", "16Gi", 20),
        new("catalog-cache", "cache", "500m", "16Gi", 10),
        new("batch-etl", "data", "4", "8Gi", 40) { CapacityType = CapacityTypes.Spot },
        new("report-builder", "data", "2", "4Gi", 30) { Arch = "arm64" },
        new("notifications", "messaging", "100m", "128Mi", 150),
        new("auth-service", "identity", "250m", "256Mi", 100) { Arch = "arm64" },
        new("search-indexer", "search", "1", "4Gi", 40) { Arch = "arm64" },
        new("queue-worker", "messaging", "500m", "1Gi", 100) { SoftHostnameSpread = true },
        new("ml-inference", "ml", "4", "16Gi", 4) { Gpus = "1" },
    ];

    internal static IReadOnlyList<AwsDeployment> DeploymentSpecs => Deployments;

    /// <summary>
    /// NodePools (general, critical, gpu), two DaemonSets, two PodDisruptionBudgets and <paramref name="pods"/>
    /// pending pods from ~16 deployments, in an order shuffled by <paramref name="seed"/>.
    /// <paramref name="topology"/> drops topology constraints for the variants the cost goal is measured on.
    /// </summary>
    public static SchedulingInput Create(InstanceTypeCatalog catalog, int pods, int seed = 42, AwsTopology topology = AwsTopology.Full)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentOutOfRangeException.ThrowIfNegative(pods);
        var replicas = Replicas(pods);
        var list = new List<V1Pod>(pods);
        for (var d = 0; d < Deployments.Length; d++)
        {
            for (var i = 0; i < replicas[d]; i++)
            {
                list.Add(Pod(Without(Deployments[d], topology), i, PodFactory.Uid(seed, 2, list.Count)));
            }
        }

        // Pending pods arrive interleaved, not deployment by deployment; a solver must not depend on input order.
        new Random(seed).Shuffle(CollectionsMarshal.AsSpan(list));
        return new SchedulingInput
        {
            Catalog = catalog,
            NodePools = NodePools(),
            Pods = list,
            DaemonSets = [DaemonSet("node-exporter", "monitoring", "100m", "128Mi"), DaemonSet("fluent-bit", "logging", "200m", "256Mi")],
            PodDisruptionBudgets = [Pdb("zookeeper", "streaming", 1), Pdb("kafka", "streaming", 1)],
        };
    }

    /// <summary>The platform team's NodePools: general purpose, a tainted on-demand tier, GPUs.</summary>
    public static IReadOnlyList<NodePool> NodePools() =>
    [
        new NodePool
        {
            Name = "general",
            Weight = 50,
            NodeClassRef = NodeClass,
            Requirements =
            [
                new(InstanceCategoryLabel, RequirementOperator.In, ["c", "m", "r"]),
                new(InstanceGenerationLabel, RequirementOperator.Gt, ["5"]),
                new(InstanceSizeLabel, RequirementOperator.NotIn, ["metal"]),
                new(WellKnownLabels.Arch, RequirementOperator.In, ["amd64", "arm64"]),
                new(WellKnownLabels.Os, RequirementOperator.In, ["linux"]),
                new(WellKnownLabels.CapacityType, RequirementOperator.In, [CapacityTypes.Spot, CapacityTypes.OnDemand]),
            ],
            Limits = Limits(("cpu", "20000"), ("memory", "80000Gi")),
            Disruption = new NodePoolDisruption(
                ConsolidationPolicy.WhenEmptyOrUnderutilized,
                TimeSpan.FromMinutes(1),
                [new DisruptionBudget("10%"), new DisruptionBudget("0", "0 9 * * mon-fri", TimeSpan.FromHours(8), ["Underutilized"])]),
        },
        new NodePool
        {
            Name = "critical",
            Weight = 90,
            NodeClassRef = NodeClass,
            Labels = new Dictionary<string, string>(StringComparer.Ordinal) { [TierLabel] = "critical" },
            Taints = [new V1Taint { Key = TierLabel, Value = "critical", Effect = "NoSchedule" }],
            Requirements =
            [
                new(InstanceCategoryLabel, RequirementOperator.In, ["m", "r"]),
                new(InstanceGenerationLabel, RequirementOperator.Gt, ["6"]),
                new(WellKnownLabels.Arch, RequirementOperator.In, ["amd64"]),
                new(WellKnownLabels.CapacityType, RequirementOperator.In, [CapacityTypes.OnDemand]),
            ],
            Limits = Limits(("cpu", "2000")),
            Disruption = new NodePoolDisruption(ConsolidationPolicy.WhenEmpty, TimeSpan.FromMinutes(10), [new DisruptionBudget("1")]),
        },
        new NodePool
        {
            Name = "gpu",
            Weight = 10,
            NodeClassRef = NodeClass,
            Taints = [new V1Taint { Key = PodFactory.GpuResource, Value = "true", Effect = "NoSchedule" }],
            Requirements =
            [
                new(InstanceCategoryLabel, RequirementOperator.In, ["g", "p"]),
                new(GpuManufacturerLabel, RequirementOperator.In, ["nvidia"]),
                new(WellKnownLabels.Arch, RequirementOperator.In, ["amd64"]),
                new(WellKnownLabels.CapacityType, RequirementOperator.In, [CapacityTypes.OnDemand, CapacityTypes.Spot]),
            ],
            Limits = Limits(("cpu", "2000"), (PodFactory.GpuResource, "128")),
            Disruption = new NodePoolDisruption(ConsolidationPolicy.WhenEmpty, TimeSpan.FromMinutes(5), [DisruptionBudget.Default]),
        },
    ];

    /// <summary>
    /// Replicas per deployment: fixed ones first (capped by what is left), then the rest split by weight
    /// with largest remainders, ties to the earlier deployment, so the total is exactly <paramref name="pods"/>.
    /// </summary>
    internal static int[] Replicas(int pods)
    {
        var replicas = new int[Deployments.Length];
        var left = pods;
        for (var d = 0; d < Deployments.Length; d++)
        {
            if (Deployments[d].FixedReplicas is { } fixedCount)
            {
                replicas[d] = Math.Min(fixedCount, left);
                left -= replicas[d];
            }
        }

        long totalWeight = Deployments.Where(d => d.FixedReplicas is null).Sum(d => d.Weight);
        var remainders = new List<(long Remainder, int Index)>();
        var share = left;
        for (var d = 0; d < Deployments.Length; d++)
        {
            if (Deployments[d].FixedReplicas is null)
            {
                var exact = (long)share * Deployments[d].Weight;
                replicas[d] = (int)(exact / totalWeight);
                left -= replicas[d];
                remainders.Add((exact % totalWeight, d));
            }
        }

        foreach (var (_, d) in remainders.OrderByDescending(r => r.Remainder).ThenBy(r => r.Index).Take(left))
        {
            replicas[d]++;
        }

        return replicas;
    }

    private static AwsDeployment Without(AwsDeployment d, AwsTopology topology) => topology switch
    {
        AwsTopology.NoHostname => d with { HostnameAntiAffinity = false, SoftHostnameSpread = false },
        AwsTopology.None => d with { HostnameAntiAffinity = false, SoftHostnameSpread = false, ZonalSpread = false },
        _ => d,
    };

    private static V1Pod Pod(AwsDeployment d, int index, string uid)
    {
        var labels = PodFactory.Labels("app", d.Name);
        labels["team"] = d.Namespace;
        var spec = new V1PodSpec { Containers = [PodFactory.Container(d.Cpu, d.Memory, d.Gpus)] };
        var selector = new Dictionary<string, string>(StringComparer.Ordinal);
        var tolerations = new List<V1Toleration>();
        if (d.Arch is not null)
        {
            selector[WellKnownLabels.Arch] = d.Arch;
        }

        if (d.CapacityType is not null)
        {
            selector[WellKnownLabels.CapacityType] = d.CapacityType;
        }

        if (d.Critical)
        {
            selector[TierLabel] = "critical";
            tolerations.Add(new V1Toleration { Key = TierLabel, OperatorProperty = "Equal", Value = "critical", Effect = "NoSchedule" });
        }

        if (d.Gpus is not null)
        {
            tolerations.Add(new V1Toleration { Key = PodFactory.GpuResource, OperatorProperty = "Exists", Effect = "NoSchedule" });
        }

        var spreads = new List<V1TopologySpreadConstraint>();
        if (d.ZonalSpread)
        {
            spreads.Add(PodFactory.Spread(WellKnownLabels.Zone, "app", d.Name));
        }

        if (d.SoftHostnameSpread)
        {
            spreads.Add(PodFactory.Spread(WellKnownLabels.Hostname, "app", d.Name, required: false));
        }

        if (d.HostnameAntiAffinity)
        {
            spec.Affinity = new V1Affinity
            {
                PodAntiAffinity = new V1PodAntiAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = [PodFactory.Term(WellKnownLabels.Hostname, "app", d.Name)],
                },
            };
        }

        spec.NodeSelector = selector.Count > 0 ? selector : null;
        spec.Tolerations = tolerations.Count > 0 ? tolerations : null;
        spec.TopologySpreadConstraints = spreads.Count > 0 ? spreads : null;
        return PodFactory.Pending(d.Namespace, $"{d.Name}-{index}", uid, labels, spec);
    }

    private static Dictionary<string, string> Limits(params (string Name, string Quantity)[] limits) =>
        limits.ToDictionary(l => l.Name, l => l.Quantity, StringComparer.Ordinal);

    /// <summary>A DaemonSet that runs on every node (it tolerates every taint), as log and metrics agents do.</summary>
    private static V1DaemonSet DaemonSet(string name, string ns, string cpu, string memory)
    {
        var labels = PodFactory.Labels("app", name);
        return new V1DaemonSet
        {
            ApiVersion = "apps/v1",
            Kind = "DaemonSet",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Containers = [PodFactory.Container(cpu, memory)],
                        Tolerations = [new V1Toleration { OperatorProperty = "Exists" }],
                    },
                },
            },
        };
    }

    private static V1PodDisruptionBudget Pdb(string app, string ns, int maxUnavailable) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = new V1ObjectMeta { Name = app, NamespaceProperty = ns },
        Spec = new V1PodDisruptionBudgetSpec
        {
            MaxUnavailable = maxUnavailable,
            Selector = PodFactory.Selector("app", app),
        },
    };
}
