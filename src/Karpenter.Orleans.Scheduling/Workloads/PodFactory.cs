using System.Globalization;
using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Workloads;

/// <summary>Small builders shared by the workload generators, so every generated pod has the same shape.</summary>
internal static class PodFactory
{
    public const string DefaultNamespace = "default";

    public const string GpuResource = "nvidia.com/gpu";

    /// <summary>
    /// A UUID-shaped id that depends only on (seed, workload, index), so two runs with one seed give
    /// byte-identical pods (solvers may cache by uid, as Karpenter's does).
    /// </summary>
    public static string Uid(int seed, int workload, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{(uint)seed:x8}-{workload:x4}-4000-8000-{index:x12}");

    public static V1Container Container(string cpu, string memory, string? gpus = null)
    {
        var requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
        {
            ["cpu"] = new(cpu),
            ["memory"] = new(memory),
        };
        Dictionary<string, ResourceQuantity>? limits = null;
        if (gpus is not null)
        {
            // Extended resources must be requested and limited alike.
            requests[GpuResource] = new(gpus);
            limits = new(StringComparer.Ordinal) { [GpuResource] = new(gpus) };
        }

        return new V1Container
        {
            Name = "app",
            Image = "registry.k8s.io/pause:3.10",
            Resources = new V1ResourceRequirements { Requests = requests, Limits = limits },
        };
    }

    /// <summary>A pending pod (no nodeName, PodScheduled=False) around <paramref name="spec"/>.</summary>
    public static V1Pod Pending(string ns, string name, string uid, IDictionary<string, string> labels, V1PodSpec spec) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Uid = uid,
            Labels = labels,
        },
        Spec = spec,
        Status = new V1PodStatus
        {
            Phase = "Pending",
            Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable" }],
        },
    };

    public static V1LabelSelector Selector(string key, string value) =>
        new() { MatchLabels = new Dictionary<string, string>(StringComparer.Ordinal) { [key] = value } };

    public static Dictionary<string, string> Labels(string key, string value) =>
        new(StringComparer.Ordinal) { [key] = value };

    public static V1PodAffinityTerm Term(string topologyKey, string labelKey, string labelValue) =>
        new() { TopologyKey = topologyKey, LabelSelector = Selector(labelKey, labelValue) };

    public static V1TopologySpreadConstraint Spread(string topologyKey, string labelKey, string labelValue, bool required = true, int maxSkew = 1) => new()
    {
        MaxSkew = maxSkew,
        TopologyKey = topologyKey,
        WhenUnsatisfiable = required ? "DoNotSchedule" : "ScheduleAnyway",
        LabelSelector = Selector(labelKey, labelValue),
    };
}
