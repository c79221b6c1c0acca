namespace Karpenter.Orleans.Abstractions;

/// <summary>A cluster the service manages: where its capacity is bought and what it may spend.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterRegistration(
    string ClusterId,
    string Provider,
    string Region,
    string Account,
    double? SpendCapPerHour = null,
    string? DisplayName = null);
