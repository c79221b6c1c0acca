using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// Everything one disruption pass looks at. <see cref="Pods"/> holds pods bound to <see cref="Nodes"/> and
/// pending ones; <see cref="Now"/> is the clock (budgets' schedules, consolidateAfter, expiration), passed in
/// so the same input always gives the same plan.
/// </summary>
public sealed record DisruptionInput
{
    public required InstanceTypeCatalog Catalog { get; init; }

    public IReadOnlyList<NodePool> NodePools { get; init; } = [];

    public IReadOnlyList<ClusterNode> Nodes { get; init; } = [];

    public IReadOnlyList<V1Pod> Pods { get; init; } = [];

    public IReadOnlyList<V1DaemonSet> DaemonSets { get; init; } = [];

    public IReadOnlyList<V1PodDisruptionBudget> PodDisruptionBudgets { get; init; } = [];

    public required DateTimeOffset Now { get; init; }
}
