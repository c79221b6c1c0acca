using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// A NodeClaim the run would create: the offering chosen at launch (cheapest available among
/// <see cref="InstanceTypeOptions"/>), the labels and taints the node carries, the requests of its
/// pods plus DaemonSet overhead, and the pods (namespace/name) planned onto it.
/// </summary>
public sealed record PlannedNodeClaim
{
    public required string Name { get; init; }

    public required string NodePool { get; init; }

    public required string InstanceType { get; init; }

    public required string Zone { get; init; }

    public required string CapacityType { get; init; }

    public required double PricePerHour { get; init; }

    /// <summary>Instance types that fit every pod on the claim, cheapest first, at most MaxInstanceTypes.</summary>
    public required IReadOnlyList<string> InstanceTypeOptions { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    public required IReadOnlyList<V1Taint> Taints { get; init; }

    public required ResourceVector Requests { get; init; }

    public required IReadOnlyList<string> Pods { get; init; }

    /// <summary>
    /// The claim's requirements after every pod on it narrowed them: which zones and capacity types a
    /// launch may still use when the chosen offering turns out unavailable.
    /// </summary>
    public RequirementSet Requirements { get; init; } = RequirementSet.Empty;

    /// <summary>True when BestEffort lowered a minValues requirement for this claim.</summary>
    public bool MinValuesRelaxed { get; init; }
}
