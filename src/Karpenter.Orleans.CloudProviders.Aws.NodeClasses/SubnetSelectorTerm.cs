namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>One <c>subnetSelectorTerms</c> entry: tags (a value of <c>*</c> matches any value) or an id.</summary>
public sealed record SubnetSelectorTerm(IReadOnlyDictionary<string, string> Tags, string? Id);
