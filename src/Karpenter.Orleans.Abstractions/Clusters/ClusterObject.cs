namespace Karpenter.Orleans.Abstractions;

/// <summary>One object of a full resync: its kind and its JSON as the Kubernetes API serves it.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterObject(
    ObjectKind Kind,
    string Json);
