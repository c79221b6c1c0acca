namespace Karpenter.Orleans.Abstractions;

/// <summary>A cluster at a glance.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterStatus(
    string ClusterId,
    string Provider,
    string Region,
    string Account,
    int Pods,
    int PendingPods,
    int Nodes,
    int NodeClaims,
    double PricePerHour,
    double? SpendCapPerHour,
    DateTimeOffset? LastProvisionedAt,
    long LastSequence,
    bool AgentConnected);
