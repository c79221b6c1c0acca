namespace Karpenter.Orleans.Abstractions;

/// <summary>A spot capacity pool: instance type in one zone.</summary>
[GenerateSerializer, Immutable]
public sealed record SpotPoolKey(
    string InstanceType,
    string Zone);
