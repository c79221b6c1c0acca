namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// One command for a cluster's agent. <see cref="Id"/> is unique within the cluster and stable: the same
/// command is delivered with the same id until it is acknowledged, and a retry (a new eviction after a
/// PodDisruptionBudget refused one) gets a new id. <see cref="Namespace"/> and <see cref="Pod"/> are set for
/// pod commands, <see cref="Taint"/> ("key=value:Effect" or "key:Effect") for taint commands.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClusterCommand(
    string Id,
    ClusterCommandKind Kind,
    string Node,
    string? Namespace,
    string? Pod,
    string? Taint,
    DateTimeOffset IssuedAt);
