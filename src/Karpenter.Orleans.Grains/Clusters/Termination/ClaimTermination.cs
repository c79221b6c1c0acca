namespace Karpenter.Orleans.Grains.Clusters.Termination;

/// <summary>
/// A NodeClaim's termination in progress, persisted with the cluster so a restart resumes it: the step it is
/// at (Disrupting, Draining, Terminating), when it started and when the NodePool's terminationGracePeriod
/// ends, and the drain's record of each pod.
/// </summary>
public sealed class ClaimTermination
{
    public string Reason { get; set; } = "";

    public NodeClaimPhase Step { get; set; } = NodeClaimPhase.Disrupting;

    public string? Node { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>
    /// Deletion time plus terminationGracePeriod, or earlier when the instance has a deadline (an interruption);
    /// null when neither applies (PDBs are then never overridden).
    /// </summary>
    public DateTimeOffset? GracePeriodEndsAt { get; set; }

    /// <summary>Pods (namespace/name) the drain asked to go.</summary>
    public Dictionary<string, PodEviction> Evictions { get; set; } = new(StringComparer.Ordinal);

    public bool NodeDeleteIssued { get; set; }
}
