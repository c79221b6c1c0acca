using System.Text.Json.Nodes;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// What every simulated cluster starts with: two NodePools, one DaemonSet and a workload mix that needs a
/// bit of everything the provisioner does (zone spread, spot-only pods, arm64, a tainted on-demand pool).
/// </summary>
internal static class DefaultClusterObjects
{
    public const string CriticalTaintKey = "karpo.io/critical";

    /// <summary>The NodePools as karpenter.sh/v1 JSON, as an agent would read them from the API server.</summary>
    public static IReadOnlyList<(string Name, string Json)> NodePools() =>
    [
        ("default", NodePoolJson(
            "default",
            weight: null,
            requirements:
            [
                (WellKnownLabels.Arch, ["amd64", "arm64"]),
                (WellKnownLabels.CapacityType, [CapacityTypes.Spot, CapacityTypes.OnDemand]),
                (WellKnownLabels.Os, ["linux"]),
            ],
            taint: null)),
        // Weighted above "default" but tainted: only pods that tolerate the taint (the critical
        // workload) are tried here first; everything else falls through to "default".
        ("on-demand", NodePoolJson(
            "on-demand",
            weight: 10,
            requirements:
            [
                (WellKnownLabels.Arch, ["amd64"]),
                (WellKnownLabels.CapacityType, [CapacityTypes.OnDemand]),
                (WellKnownLabels.Os, ["linux"]),
            ],
            taint: (CriticalTaintKey, "true", "NoSchedule"))),
    ];

    /// <summary>The node class both default NodePools name (<c>nodeClassRef</c> EC2NodeClass <c>default</c>).</summary>
    public const string NodeClassName = "default";

    /// <summary>The API group and kind of <see cref="NodeClass"/>, for providers that launch with EC2NodeClasses.</summary>
    public const string NodeClassGroup = "karpenter.k8s.aws";

    public const string NodeClassKind = "EC2NodeClass";

    /// <summary>
    /// The <c>EC2NodeClass</c> the default NodePools name: the subnets and security groups tagged with EKS's
    /// <c>kubernetes.io/cluster/&lt;cluster&gt;</c> (any value; one subnet can carry the tag of every cluster that
    /// shares it, as the default clusters of one region do), the latest AL2023 image, and the node role of
    /// deploy/aws/iam-policy.json.
    /// </summary>
    public static string NodeClass(string clusterId)
    {
        var discovery = new JsonObject { [$"kubernetes.io/cluster/{clusterId}"] = "*" };
        var root = new JsonObject
        {
            ["apiVersion"] = $"{NodeClassGroup}/v1",
            ["kind"] = NodeClassKind,
            ["metadata"] = new JsonObject { ["name"] = NodeClassName, ["uid"] = Ids.Uid($"ec2nodeclass/{NodeClassName}") },
            ["spec"] = new JsonObject
            {
                ["role"] = "KarpoNodeRole",
                ["amiSelectorTerms"] = new JsonArray(new JsonObject { ["alias"] = "al2023@latest" }),
                ["subnetSelectorTerms"] = new JsonArray(new JsonObject { ["tags"] = discovery.DeepClone() }),
                ["securityGroupSelectorTerms"] = new JsonArray(new JsonObject { ["tags"] = discovery.DeepClone() }),
            },
        };
        return root.ToJsonString();
    }

    /// <summary>A node agent on every node: 100m CPU and 128Mi that every node's capacity must leave room for.</summary>
    public static V1DaemonSet DaemonSet() => new()
    {
        ApiVersion = "apps/v1",
        Kind = "DaemonSet",
        Metadata = new V1ObjectMeta { Name = "node-agent", NamespaceProperty = "kube-system", Uid = "00000000-0000-4000-8000-00000000da01" },
        Spec = new V1DaemonSetSpec
        {
            Selector = new V1LabelSelector { MatchLabels = Labels("app", "node-agent") },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = Labels("app", "node-agent") },
                Spec = new V1PodSpec
                {
                    Containers = [Container("100m", "128Mi")],
                    // Daemons run on tainted nodes too, as real node agents do.
                    Tolerations = [new V1Toleration { OperatorProperty = "Exists" }],
                },
            },
        },
    };

    /// <summary>Budgets a real cluster would give its services: half of web may go at once, one payments pod at a time.</summary>
    public static IReadOnlyList<V1PodDisruptionBudget> PodDisruptionBudgets() =>
    [
        Budget("web", minAvailable: "50%", maxUnavailable: null),
        Budget("payments", minAvailable: null, maxUnavailable: "1"),
    ];

    private static V1PodDisruptionBudget Budget(string app, string? minAvailable, string? maxUnavailable) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = new V1ObjectMeta { Name = app, NamespaceProperty = "default", Uid = Ids.Uid($"pdb/{app}") },
        Spec = new V1PodDisruptionBudgetSpec
        {
            MinAvailable = minAvailable is null ? null : (IntOrString)minAvailable,
            MaxUnavailable = maxUnavailable is null ? null : (IntOrString)maxUnavailable,
            Selector = new V1LabelSelector { MatchLabels = Labels("app", app) },
        },
    };

    /// <summary>The workload mix at scale 1: roughly 14 to 60 pods per cluster over one period.</summary>
    public static IReadOnlyList<SimulatedWorkload> Workloads() =>
    [
        new("web", Spec("250m", "512Mi", amd64Only: true, zoneSpreadApp: "web"), BaseReplicas: 6, Amplitude: 18),
        new("api", Spec("500m", "1Gi", amd64Only: true), BaseReplicas: 4, Amplitude: 10, Phase: 0.05),
        // Workers can be interrupted without harm, so they run on spot only.
        new("worker", Spec("1", "2Gi", amd64Only: true, capacityType: CapacityTypes.Spot), BaseReplicas: 2, Amplitude: 12, Phase: 0.25),
        // Multi-arch image: runs anywhere, prefers cheaper arm64 nodes.
        new("edge-cache", Spec("200m", "256Mi", preferArm64: true), BaseReplicas: 2, Amplitude: 4, Phase: 0.5),
        new("payments", Spec("500m", "1Gi", amd64Only: true, capacityType: CapacityTypes.OnDemand, tolerateCritical: true), BaseReplicas: 2),
        new("report", Spec("500m", "1Gi", amd64Only: true, capacityType: CapacityTypes.Spot), BaseReplicas: 0, Amplitude: 16,
            Kind: WorkloadKind.Job, BurstWindow: 0.1),
    ];

    private static V1PodSpec Spec(
        string cpu,
        string memory,
        bool amd64Only = false,
        string? capacityType = null,
        string? zoneSpreadApp = null,
        bool preferArm64 = false,
        bool tolerateCritical = false)
    {
        var selector = new Dictionary<string, string>(StringComparer.Ordinal);
        if (amd64Only)
        {
            selector[WellKnownLabels.Arch] = "amd64";
        }

        if (capacityType is not null)
        {
            selector[WellKnownLabels.CapacityType] = capacityType;
        }

        var spec = new V1PodSpec
        {
            Containers = [Container(cpu, memory)],
            NodeSelector = selector.Count > 0 ? selector : null,
            TerminationGracePeriodSeconds = 30,
        };
        if (zoneSpreadApp is not null)
        {
            spec.TopologySpreadConstraints =
            [
                new V1TopologySpreadConstraint
                {
                    MaxSkew = 1,
                    TopologyKey = WellKnownLabels.Zone,
                    WhenUnsatisfiable = "DoNotSchedule",
                    LabelSelector = new V1LabelSelector { MatchLabels = Labels("app", zoneSpreadApp) },
                },
            ];
        }

        if (preferArm64)
        {
            spec.Affinity = new V1Affinity
            {
                NodeAffinity = new V1NodeAffinity
                {
                    PreferredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1PreferredSchedulingTerm
                        {
                            Weight = 50,
                            Preference = new V1NodeSelectorTerm
                            {
                                MatchExpressions = [new V1NodeSelectorRequirement { Key = WellKnownLabels.Arch, OperatorProperty = "In", Values = ["arm64"] }],
                            },
                        },
                    ],
                },
            };
        }

        if (tolerateCritical)
        {
            spec.Tolerations = [new V1Toleration { Key = CriticalTaintKey, OperatorProperty = "Equal", Value = "true", Effect = "NoSchedule" }];
        }

        return spec;
    }

    private static V1Container Container(string cpu, string memory) => new()
    {
        Name = "app",
        Image = "registry.k8s.io/pause:3.10",
        Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
            {
                ["cpu"] = new(cpu),
                ["memory"] = new(memory),
            },
        },
    };

    private static Dictionary<string, string> Labels(string key, string value) => new(StringComparer.Ordinal) { [key] = value };

    private static string NodePoolJson(
        string name,
        int? weight,
        IReadOnlyList<(string Key, string[] Values)> requirements,
        (string Key, string Value, string Effect)? taint)
    {
        var templateSpec = new JsonObject
        {
            ["nodeClassRef"] = new JsonObject { ["group"] = NodeClassGroup, ["kind"] = NodeClassKind, ["name"] = NodeClassName },
            ["requirements"] = new JsonArray(requirements
                .Select(r => (JsonNode)new JsonObject
                {
                    ["key"] = r.Key,
                    ["operator"] = "In",
                    ["values"] = new JsonArray(r.Values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
                })
                .ToArray()),
            ["expireAfter"] = "720h",
        };
        if (taint is { } t)
        {
            templateSpec["taints"] = new JsonArray(new JsonObject { ["key"] = t.Key, ["value"] = t.Value, ["effect"] = t.Effect });
        }

        var spec = new JsonObject
        {
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["karpo.io/simulated"] = "true" } },
                ["spec"] = templateSpec,
            },
            ["disruption"] = new JsonObject
            {
                ["consolidationPolicy"] = "WhenEmptyOrUnderutilized",
                ["consolidateAfter"] = "30s",
            },
            ["limits"] = new JsonObject { ["cpu"] = "2000" },
        };
        if (weight is { } w)
        {
            spec["weight"] = w;
        }

        var root = new JsonObject
        {
            ["apiVersion"] = "karpenter.sh/v1",
            ["kind"] = "NodePool",
            ["metadata"] = new JsonObject { ["name"] = name, ["uid"] = Ids.Uid($"nodepool/{name}") },
            ["spec"] = spec,
        };
        return root.ToJsonString();
    }
}
