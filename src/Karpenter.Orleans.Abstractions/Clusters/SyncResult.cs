namespace Karpenter.Orleans.Abstractions;

/// <summary>What the cluster grain did with a snapshot or a batch. ResyncRequired asks the agent for a full snapshot (unknown session or a gap in sequence numbers).</summary>
[GenerateSerializer, Immutable]
public sealed record SyncResult(
    int Applied,
    int Duplicates,
    bool ResyncRequired,
    long LastSequence,
    IReadOnlyList<string> Errors);
