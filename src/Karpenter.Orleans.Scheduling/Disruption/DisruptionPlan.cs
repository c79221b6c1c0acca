namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>What a disruption pass decided: the actions in order, the nodes left alone and why, and the bill before and after.</summary>
public sealed record DisruptionPlan(IReadOnlyList<DisruptionAction> Actions, IReadOnlyList<BlockedNode> Blocked, DisruptionSummary Summary);
