namespace Karpenter.Orleans.Grains.Clusters.Disruption;

/// <summary>Where a queued disruption is. Stored by name.</summary>
public enum QueuedDisruptionState
{
    /// <summary>Candidates tainted; waiting for every replacement to be Initialized.</summary>
    Waiting,

    /// <summary>The candidates were handed to the termination flow.</summary>
    Done,

    /// <summary>Given up (timeout, a replacement that failed to launch): candidates untainted.</summary>
    Failed,
}
