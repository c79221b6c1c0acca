namespace Karpenter.Orleans.Grains.NodeClaims;

/// <summary>Persisted NodeClaim, written at every lifecycle step: its spec and status, and its launch bookkeeping.</summary>
public sealed class NodeClaimState : NodeClaimStatus
{
    public NodeClaimSpec? Spec { get; set; }

    /// <summary>True once the quota ledger holds vCPUs for this claim (so termination releases them).</summary>
    public bool QuotaHeld { get; set; }

    public int LaunchAttempts { get; set; }

    /// <summary>When the claim's deletion began (its drain, or its termination when nothing was drained), for Karpenter's termination duration.</summary>
    public DateTimeOffset? DeletionStartedAt { get; set; }
}
