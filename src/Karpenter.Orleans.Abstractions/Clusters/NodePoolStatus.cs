namespace Karpenter.Orleans.Abstractions;

/// <summary>A NodePool: its spec's validity, limits and what it uses against them, and whether the node class its <c>nodeClassRef</c> names is there (Karpenter's <c>NodeClassReady</c>; when false, <c>NodeClassError</c> says why and its NodeClaims are not launched).</summary>
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
    int NodeClaims,
    bool NodeClassReady = true,
    string? NodeClassError = null);
