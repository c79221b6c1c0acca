namespace Karpenter.Orleans.Abstractions;

/// <summary>One cluster's running cost and cap.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterCost(
    string ClusterId,
    string Region,
    double PricePerHour,
    double? SpendCapPerHour,
    int Nodes,
    int PendingPods);
