namespace Karpenter.Orleans.Abstractions;

/// <summary>What the provisioner asks for: the offerings that fit every pod planned onto the claim (cheapest first), the node's labels and taints, and the pods it is for.</summary>
[GenerateSerializer, Immutable]
public sealed record NodeClaimSpec(
    string ClusterId,
    string Name,
    string NodePool,
    string Provider,
    string Region,
    string Account,
    IReadOnlyList<OfferingOption> Options,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<string> Taints,
    long RequestsMilliCpu,
    long RequestsMemory,
    IReadOnlyList<string> Pods)
{
    /// <summary>The node class the claim's NodePool names (its <c>nodeClassRef</c>), as the cluster sent it when the claim was planned; null when the provider reads none.</summary>
    [Id(12)]
    public NodeClassManifest? NodeClass { get; init; }
}
