namespace Karpenter.Orleans.Grains.Clusters.Termination;

/// <summary>The drain's record of one pod: how often it was asked to go, the command still out, when to ask again.</summary>
public sealed class PodEviction
{
    /// <summary>Evictions (or deletions) issued so far; the next command's id ends with this number plus one.</summary>
    public int Attempts { get; set; }

    /// <summary>The id of the command not yet acknowledged, or null.</summary>
    public string? Outstanding { get; set; }

    /// <summary>No new command before this time (backoff after a refusal, or time for an evicted pod to go).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>The last refusal's message (a PodDisruptionBudget's name, as the API server says it).</summary>
    public string? LastRefusal { get; set; }

    /// <summary>True once the cluster accepted the last eviction: the pod counts against its budget until it is gone.</summary>
    public bool Accepted { get; set; }

    /// <summary>True once past the grace period: the pod is deleted, not evicted.</summary>
    public bool Forced { get; set; }
}
