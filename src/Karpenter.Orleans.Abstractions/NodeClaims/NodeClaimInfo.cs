namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// A NodeClaim's state: phase, the instance it launched and the node it became, and the cloud's notice about
/// that instance (spot interruption, rebalance recommendation, scheduled change, stop) when one came.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record NodeClaimInfo(
    string ClusterId,
    string Name,
    string NodePool,
    NodeClaimPhase Phase,
    string? InstanceId,
    string? InstanceType,
    string? Zone,
    string? CapacityType,
    double PricePerHour,
    string? NodeName,
    long CapacityMilliCpu,
    long CapacityMemory,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LaunchedAt,
    DateTimeOffset? RegisteredAt,
    DateTimeOffset? InitializedAt,
    DateTimeOffset? TerminatedAt,
    string? Reason,
    InterruptionNotice? Interruption = null);
