namespace Karpenter.Orleans.Abstractions;

/// <summary>What the service did with a batch of acknowledgements: how many matched an outstanding command, and how many it ignored (duplicates, unknown ids).</summary>
[GenerateSerializer, Immutable]
public sealed record CommandAckResult(
    int Applied,
    int Ignored);
