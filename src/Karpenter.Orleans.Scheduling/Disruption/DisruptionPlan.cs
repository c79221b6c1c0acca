namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>What a disruption pass decided: the actions in order, the nodes left alone and why, and the bill before and after.</summary>
public sealed record DisruptionPlan(IReadOnlyList<DisruptionAction> Actions, IReadOnlyList<BlockedNode> Blocked, DisruptionSummary Summary)
{
    /// <summary>
    /// Per reason (Empty, Drifted, Underutilized), the candidates of the (first) pass before it acted: what
    /// Karpenter's <c>karpenter_voluntary_disruption_eligible_nodes</c> gauge reports.
    /// </summary>
    public IReadOnlyDictionary<DisruptionReason, int> EligibleNodes { get; init; } = new Dictionary<DisruptionReason, int>();

    /// <summary>
    /// The consolidation methods that stopped at their per-pass limit with candidates left
    /// (<see cref="DisruptionOptions.MultiNodeCandidateLimit"/>, <see cref="DisruptionOptions.SingleNodeCandidateLimit"/>):
    /// where Karpenter's methods time out, counted by <c>karpenter_voluntary_disruption_consolidation_timeouts_total</c>.
    /// </summary>
    public IReadOnlyList<DisruptionMethod> StoppedAtLimit { get; init; } = [];
}
