namespace Karpenter.Orleans.Abstractions;

/// <summary>Usage of one NodePool as its cluster counts it (capacity of every live NodeClaim), quantities in Kubernetes notation.</summary>
[GenerateSerializer, Immutable]
public sealed record NodePoolUsage(
    IReadOnlyDictionary<string, string> Resources,
    int Nodes,
    int NodeClaims);
