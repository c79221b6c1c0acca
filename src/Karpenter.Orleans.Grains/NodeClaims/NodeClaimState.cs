namespace Karpenter.Orleans.Grains.NodeClaims;

/// <summary>Persisted NodeClaim, written at every lifecycle step.</summary>
public sealed class NodeClaimState
{
    public NodeClaimSpec? Spec { get; set; }

    public NodeClaimPhase Phase { get; set; }

    public string? InstanceId { get; set; }

    public string? InstanceType { get; set; }

    public string? Zone { get; set; }

    public string? CapacityType { get; set; }

    public double PricePerHour { get; set; }

    public string? NodeName { get; set; }

    public long CapacityMilliCpu { get; set; }

    public long CapacityMemory { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LaunchedAt { get; set; }

    public DateTimeOffset? RegisteredAt { get; set; }

    public DateTimeOffset? InitializedAt { get; set; }

    public DateTimeOffset? TerminatedAt { get; set; }

    public string? Reason { get; set; }

    /// <summary>True once the quota ledger holds vCPUs for this claim (so termination releases them).</summary>
    public bool QuotaHeld { get; set; }

    public int LaunchAttempts { get; set; }

    /// <summary>
    /// The cloud's notice about the instance the cluster's disruption controller acts on: the most pressing
    /// one received (a deadline beats advice, an earlier deadline a later one). Null when none came.
    /// </summary>
    public InterruptionNotice? Interruption { get; set; }
}
