namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>One <c>securityGroupSelectorTerms</c> entry: tags (<c>*</c> matches any value), an id or a group name.</summary>
public sealed record SecurityGroupSelectorTerm(IReadOnlyDictionary<string, string> Tags, string? Id, string? Name);
