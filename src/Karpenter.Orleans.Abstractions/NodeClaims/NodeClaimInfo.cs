namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// A NodeClaim as the API and the grains report it: its name, cluster and NodePool with its
/// <see cref="NodeClaimStatus"/> (phase, the instance it launched and the node it became, and the cloud's notice
/// about that instance when one came).
/// </summary>
[GenerateSerializer]
public sealed class NodeClaimInfo : NodeClaimStatus
{
    /// <summary>For deserializers; the grains use the other constructor.</summary>
    public NodeClaimInfo()
    {
    }

    public NodeClaimInfo(string clusterId, string name, string nodePool, NodeClaimStatus status)
        : base(status)
    {
        ClusterId = clusterId;
        Name = name;
        NodePool = nodePool;
    }

    [Id(0)]
    public string ClusterId { get; init; } = "";

    [Id(1)]
    public string Name { get; init; } = "";

    [Id(2)]
    public string NodePool { get; init; } = "";

    /// <summary>The labels the claim's Node gets (its NodePool template's and the offering's); empty in state stored before they were carried.</summary>
    [Id(3)]
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The taints the claim's Node gets ("key=value:Effect" or "key:Effect"); empty in state stored before they were carried.</summary>
    [Id(4)]
    public IReadOnlyList<string> Taints { get; init; } = [];

    /// <summary>The CPU (millicores) the claim asks for, summed over the pods planned onto it: Karpenter's <c>spec.resources.requests</c>; 0 when unknown.</summary>
    [Id(5)]
    public long RequestsMilliCpu { get; init; }

    /// <summary>The memory (bytes) the claim asks for, summed over the pods planned onto it; 0 when unknown.</summary>
    [Id(6)]
    public long RequestsMemory { get; init; }
}
