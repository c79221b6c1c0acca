namespace Karpenter.Orleans.Grains.Clusters.Disruption;

/// <summary>One command of the disruption orchestration queue, persisted with the cluster.</summary>
public sealed class QueuedDisruption
{
    public string Id { get; set; } = "";

    /// <summary>Karpenter's disruption reason (Empty, Drifted, Underutilized, Expired, Interrupted), by name.</summary>
    public string Reason { get; set; } = "";

    /// <summary>The planner's method that chose it, by name.</summary>
    public string Method { get; set; } = "";

    public bool Replace { get; set; }

    public List<DisruptionCandidate> Candidates { get; set; } = [];

    /// <summary>Replacement NodeClaims launched for it.</summary>
    public List<string> Replacements { get; set; } = [];

    /// <summary>False until the replacements were created: a restart in between gives the command up.</summary>
    public bool ReplacementsCreated { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>When a voluntary command gives up; for an interruption, when the cloud takes the instance (the earliest of its candidates').</summary>
    public DateTimeOffset Deadline { get; set; }

    /// <summary>
    /// Set for an interruption with a deadline (spot interruption, scheduled change, stopping): the command never
    /// gives up, and its candidates drain once the replacements are Initialized or the drain margin before the
    /// deadline has come, whichever is first.
    /// </summary>
    public bool Interruption { get; set; }

    public QueuedDisruptionState State { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public string? Message { get; set; }

    public DisruptionStatus ToStatus() => new(Id, Reason, State.ToString().ToLowerInvariant(),
        Candidates.Select(c => c.Claim).ToList(), [.. Replacements], StartedAt, Deadline, Message);
}
