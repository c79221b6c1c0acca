namespace Karpenter.Orleans.CloudProviders;

/// <summary>The API group and kind of the node class objects a provider reads, as a NodePool's <c>nodeClassRef</c> names them.</summary>
public sealed record NodeClassType(string Group, string Kind);
