using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Termination;

/// <summary>What a draining node's pods need now: the result of <see cref="EvictionOrder.Decide"/>.</summary>
public sealed record DrainDecision
{
    /// <summary>True when no pod the drain waits on is left: the node may go.</summary>
    public bool Drained { get; init; }

    /// <summary>The group being evicted, or null (drained, past the grace period, or only terminating pods left).</summary>
    public EvictionGroup? Group { get; init; }

    /// <summary>Pods to evict through the Eviction API now, by namespace and name.</summary>
    public IReadOnlyList<V1Pod> Evict { get; init; } = [];

    /// <summary>Pods to delete now (the grace period is over), by namespace and name.</summary>
    public IReadOnlyList<V1Pod> Delete { get; init; } = [];

    /// <summary>Pods of the current group not asked now, with the reason (a budget, do-not-disrupt, a backoff).</summary>
    public IReadOnlyList<DrainWait> Waiting { get; init; } = [];

    /// <summary>The budgets once <see cref="Evict"/> is spent: the input of the next node drained in the same pass.</summary>
    public IReadOnlyDictionary<string, int> BudgetsAfter { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);
}
