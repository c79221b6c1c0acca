namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// One command of the cluster's disruption orchestration queue: its candidates (NodeClaim names), the
/// replacements it launched, its state (waiting, deleting, done, failed) and, when it failed, why.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DisruptionStatus(
    string Id,
    string Reason,
    string State,
    IReadOnlyList<string> Candidates,
    IReadOnlyList<string> Replacements,
    DateTimeOffset StartedAt,
    DateTimeOffset Deadline,
    string? Message);
