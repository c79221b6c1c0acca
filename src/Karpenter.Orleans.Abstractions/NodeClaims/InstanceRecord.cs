namespace Karpenter.Orleans.Abstractions;

/// <summary>The cloud's view of one instance and the NodeClaim it belongs to.</summary>
[GenerateSerializer, Immutable]
public sealed record InstanceRecord(
    string InstanceId,
    string Provider,
    string Region,
    string Zone,
    string InstanceType,
    string CapacityType,
    string State,
    string ClusterId,
    string NodeClaim,
    DateTimeOffset LaunchedAt,
    IReadOnlyList<InterruptionNotice> Notices);
