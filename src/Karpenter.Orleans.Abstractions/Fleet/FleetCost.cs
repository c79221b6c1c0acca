namespace Karpenter.Orleans.Abstractions;

/// <summary>The fleet's hourly cost: running instances plus launches in flight, against the fleet's cap.</summary>
[GenerateSerializer, Immutable]
public sealed record FleetCost(
    double PricePerHour,
    double CommittedPerHour,
    double? SpendCapPerHour,
    IReadOnlyList<ClusterCost> Clusters);
