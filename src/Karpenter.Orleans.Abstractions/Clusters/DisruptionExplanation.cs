namespace Karpenter.Orleans.Abstractions;

/// <summary>The answer to "why is this node not consolidated?" for every node of a cluster, and the bill the plan would leave.</summary>
[GenerateSerializer, Immutable]
public sealed record DisruptionExplanation(
    string ClusterId,
    DateTimeOffset EvaluatedAt,
    IReadOnlyList<NodeDisruption> Nodes,
    double PricePerHourBefore,
    double PricePerHourAfter);
