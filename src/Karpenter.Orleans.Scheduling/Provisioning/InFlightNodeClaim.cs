using k8s.Models;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// A NodeClaim created by an earlier run whose node is not initialized yet: capacity on its way. The
/// solver treats it like an existing node (its pods count for topology and take their room, new pending
/// pods may go there) and reports what it places there in <see cref="SchedulingResult.NodeClaimPlacements"/>.
/// Until its node joins, the claim stands for it: the catalog entry of <see cref="InstanceType"/> gives the
/// labels and room unless <see cref="Allocatable"/> says otherwise, <see cref="Labels"/> are added to those,
/// and <c>kubernetes.io/hostname</c> is the claim's name. Once the node has joined (<see cref="NodeName"/>),
/// the node's labels, taints and bound pods are what count, with the claim's room standing in while the
/// node reports no allocatable cpu and memory, as Karpenter does for an uninitialized node.
/// </summary>
public sealed record InFlightNodeClaim
{
    public required string Name { get; init; }

    public required string NodePool { get; init; }

    /// <summary>The type launched, or before the launch the one planned.</summary>
    public required string InstanceType { get; init; }

    /// <summary>The zone of the launched (or planned) offering; null when not known, so no zone requirement matches.</summary>
    public string? Zone { get; init; }

    /// <summary>The capacity type of the launched (or planned) offering, when known.</summary>
    public string? CapacityType { get; init; }

    /// <summary>Labels the node will carry beyond its instance type's (the NodePool's and the plan's).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<V1Taint> Taints { get; init; } = [];

    /// <summary>
    /// Pods (namespace/name) planned onto this claim that have no <c>spec.nodeName</c> yet. Each must be in
    /// <see cref="SchedulingInput.Pods"/>; they take their room here and are not planned again.
    /// </summary>
    public IReadOnlyList<string> NominatedPods { get; init; } = [];

    /// <summary>What pods may use; null takes the instance type's allocatable from the catalog.</summary>
    public ResourceVector? Allocatable { get; init; }

    /// <summary>What NodePool limits count; null takes the instance type's capacity (or <see cref="Allocatable"/>).</summary>
    public ResourceVector? Capacity { get; init; }

    /// <summary>The node the claim registered as, once joined; it must be one of <see cref="SchedulingInput.Nodes"/>.</summary>
    public string? NodeName { get; init; }
}
