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

    /// <summary>A command chosen earlier whose proof no longer holds when re-checked (pods bound to an empty node, the move no longer fits).</summary>
    Invalidated,

    /// <summary>A candidate the pass did not get to (single-node consolidation's per-pass limit).</summary>
    NotEvaluated,
}
