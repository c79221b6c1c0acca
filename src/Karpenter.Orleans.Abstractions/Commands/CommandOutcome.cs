namespace Karpenter.Orleans.Abstractions;

/// <summary>How an agent carried a command out. Stored by name; new outcomes go at the end.</summary>
[GenerateSerializer]
public enum CommandOutcome
{
    /// <summary>Done, or nothing left to do (the pod or node was already gone).</summary>
    Done,

    /// <summary>The API server refused it for now: an eviction a PodDisruptionBudget does not allow (HTTP 429). The service retries.</summary>
    Refused,

    /// <summary>Any other error; the message says what. The service retries what it still needs.</summary>
    Failed,
}
