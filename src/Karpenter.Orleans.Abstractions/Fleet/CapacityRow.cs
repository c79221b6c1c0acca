namespace Karpenter.Orleans.Abstractions;

/// <summary>A roll-up of the fleet's capacity for one value of the grouping keys.</summary>
[GenerateSerializer, Immutable]
public sealed record CapacityRow(
    IReadOnlyDictionary<string, string> Group,
    int Nodes,
    long MilliCpu,
    long Memory,
    double PricePerHour);
