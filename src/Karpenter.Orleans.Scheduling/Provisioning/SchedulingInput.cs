using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// Everything one provisioning run looks at. <see cref="Pods"/> holds pending pods (no
/// <c>spec.nodeName</c>), pods bound to <see cref="Nodes"/> and pods nominated to
/// <see cref="NodeClaims"/>; bound and nominated pods count for topology and for the space they take.
/// An empty <see cref="NodePools"/> list means the default NodePool.
/// </summary>
public sealed record SchedulingInput
{
    public required InstanceTypeCatalog Catalog { get; init; }

    public IReadOnlyList<NodePool> NodePools { get; init; } = [];

    public IReadOnlyList<V1Pod> Pods { get; init; } = [];

    public IReadOnlyList<V1Node> Nodes { get; init; } = [];

    /// <summary>NodeClaims in flight (launching, or joined and not initialized), with the pods nominated to them.</summary>
    public IReadOnlyList<InFlightNodeClaim> NodeClaims { get; init; } = [];

    public IReadOnlyList<V1DaemonSet> DaemonSets { get; init; } = [];

    public IReadOnlyList<V1PodDisruptionBudget> PodDisruptionBudgets { get; init; } = [];
}
