namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>What a provisioning run decided.</summary>
public sealed record SchedulingResult(
    IReadOnlyList<PlannedNodeClaim> NodeClaims,
    IReadOnlyList<ExistingNodePlacement> ExistingNodes,
    IReadOnlyList<UnschedulablePod> Unschedulable,
    SchedulingSummary Summary);
