namespace Karpenter.Orleans.Abstractions;

/// <summary>Changes since the last batch, in sequence order, from one agent session.</summary>
[GenerateSerializer, Immutable]
public sealed record DeltaBatch(
    string AgentSession,
    IReadOnlyList<ObjectDelta> Deltas);
