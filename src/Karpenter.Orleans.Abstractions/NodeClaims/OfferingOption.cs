namespace Karpenter.Orleans.Abstractions;

/// <summary>One offering a NodeClaim may launch on, with its current hourly price.</summary>
[GenerateSerializer, Immutable]
public sealed record OfferingOption(
    string InstanceType,
    string Zone,
    string CapacityType,
    double PricePerHour);
