namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>What keeps a node from being disrupted; the text of <see cref="BlockedNode"/> names the object.</summary>
public enum BlockReason
{
    NotManaged,
    NotInitialized,
    Deleting,
    Nominated,
    NodeDoNotDisrupt,
    PodDoNotDisrupt,
    PodDisruptionBudget,
    Budget,
    ConsolidationDisabled,
    ConsolidateAfter,
    PolicyWhenEmpty,
    NoCheaperOption,
    SavingBelowThreshold,
    PodsCannotMove,

    /// <summary>A candidate the pass did not get to (single-node consolidation's per-pass limit).</summary>
    NotEvaluated,
}
