namespace Karpenter.Orleans.Abstractions;

/// <summary>What a cluster reports to the fleet after every change.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterCapacityReport(
    string ClusterId,
    string Provider,
    string Region,
    IReadOnlyList<CapacityItem> Items,
    int Pods,
    int PendingPods,
    double PricePerHour,
    DateTimeOffset At);
