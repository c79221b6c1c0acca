using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Termination;

/// <summary>What <see cref="EvictionOrder.Decide"/> needs to know of one draining node, as the cluster last reported it.</summary>
public sealed record DrainInput
{
    /// <summary>Every pod bound to the node, DaemonSet and mirror pods included.</summary>
    public IReadOnlyList<V1Pod> Pods { get; init; } = [];

    /// <summary>
    /// Pods (namespace/name) whose eviction was issued or accepted and that have not gone yet: not asked again,
    /// and they count against their PodDisruptionBudget (see <see cref="EvictionOrder.Budgets"/>).
    /// </summary>
    public IReadOnlySet<string> Asked { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Pods whose last eviction was refused and whose backoff has not run out: asked again later.</summary>
    public IReadOnlySet<string> BackingOff { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The cluster's PodDisruptionBudgets.</summary>
    public IReadOnlyList<V1PodDisruptionBudget> PodDisruptionBudgets { get; init; } = [];

    /// <summary>
    /// Disruptions each budget (namespace/name) still allows, from <see cref="EvictionOrder.Budgets"/> or the
    /// previous node's <see cref="DrainDecision.BudgetsAfter"/> in the same pass. A budget missing here allows none.
    /// </summary>
    public IReadOnlyDictionary<string, int> Budgets { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>The time of the decision (do-not-disrupt durations, pods stuck terminating).</summary>
    public DateTimeOffset Now { get; init; }

    /// <summary>
    /// True once the claim's terminationGracePeriod (or its instance's deadline) has passed: every pod still
    /// waited on is deleted, PodDisruptionBudgets, do-not-disrupt and the group order notwithstanding.
    /// </summary>
    public bool GracePeriodOver { get; init; }
}
