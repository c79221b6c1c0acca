namespace Karpenter.Orleans.Abstractions;

/// <summary>A pod waiting for capacity and the one reason it waits.</summary>
[GenerateSerializer, Immutable]
public sealed record PendingPod(
    string Namespace,
    string Name,
    string Reason,
    DateTimeOffset PendingSince,
    string? NodeClaim = null);
