namespace Karpenter.Orleans.Abstractions;

/// <summary>An offering: instance type, zone and capacity type.</summary>
[GenerateSerializer, Immutable]
public sealed record OfferingKey(
    string InstanceType,
    string Zone,
    string CapacityType)
{
    public override string ToString() => $"{InstanceType}/{Zone}/{CapacityType}";
}
