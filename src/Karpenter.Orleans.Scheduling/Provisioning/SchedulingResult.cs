namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// What a provisioning run decided: new NodeClaims, pods placed on existing nodes, pods placed on
/// in-flight NodeClaims (<see cref="NodeClaimPlacements"/>) and the pods nothing could take.
/// </summary>
public sealed record SchedulingResult(
    IReadOnlyList<PlannedNodeClaim> NodeClaims,
    IReadOnlyList<ExistingNodePlacement> ExistingNodes,
    IReadOnlyList<UnschedulablePod> Unschedulable,
    SchedulingSummary Summary)
{
    /// <summary>Pods newly placed on in-flight NodeClaims, in claim-name order; pods nominated before are not listed.</summary>
    public IReadOnlyList<NodeClaimPlacement> NodeClaimPlacements { get; init; } = [];
}
