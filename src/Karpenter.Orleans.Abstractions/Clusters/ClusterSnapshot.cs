namespace Karpenter.Orleans.Abstractions;

/// <summary>Everything an agent sees, sent on connect and whenever the service asks for a resync. Replaces the cluster's pods, nodes, NodePools, DaemonSets, PodDisruptionBudgets and node classes; Sequence is the last change it includes.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterSnapshot(
    string AgentSession,
    long Sequence,
    IReadOnlyList<ClusterObject> Objects);
