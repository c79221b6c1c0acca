namespace Karpenter.Orleans.Abstractions;

/// <summary>Nodes of one shape in one cluster: count, allocatable-independent capacity and hourly price.</summary>
[GenerateSerializer, Immutable]
public sealed record CapacityItem(
    string NodePool,
    string InstanceType,
    string Zone,
    string CapacityType,
    int Count,
    long MilliCpu,
    long Memory,
    double PricePerHour);
