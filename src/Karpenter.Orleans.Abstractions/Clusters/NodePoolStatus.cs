namespace Karpenter.Orleans.Abstractions;

/// <summary>A NodePool: its spec's validity, limits and what it uses against them.</summary>
[GenerateSerializer, Immutable]
public sealed record NodePoolStatus(
    string ClusterId,
    string Name,
    int Weight,
    bool Valid,
    string? Error,
    IReadOnlyDictionary<string, string> Limits,
    IReadOnlyDictionary<string, string> Usage,
    int Nodes,
    int NodeClaims);
