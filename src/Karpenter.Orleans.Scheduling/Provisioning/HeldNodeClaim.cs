namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>A planned NodeClaim not created, with the reason its pods show while they wait.</summary>
public sealed record HeldNodeClaim(PlannedNodeClaim NodeClaim, string Reason);
