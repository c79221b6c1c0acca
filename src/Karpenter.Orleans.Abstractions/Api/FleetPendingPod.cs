namespace Karpenter.Orleans.Abstractions;

/// <summary>A pending pod in a fleet-wide listing: the cluster it waits in and why.</summary>
[GenerateSerializer, Immutable]
public sealed record FleetPendingPod(
    string ClusterId,
    string Namespace,
    string Name,
    string Reason,
    DateTimeOffset PendingSince,
    string? NodeClaim = null);
