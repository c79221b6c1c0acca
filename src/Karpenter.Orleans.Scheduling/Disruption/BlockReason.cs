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
}
