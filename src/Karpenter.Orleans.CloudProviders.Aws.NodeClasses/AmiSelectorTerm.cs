namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>One <c>amiSelectorTerms</c> entry: an alias (<c>al2023@latest</c>) alone, or tags, id, name and owner.</summary>
public sealed record AmiSelectorTerm(string? Alias, IReadOnlyDictionary<string, string> Tags, string? Id, string? Name, string? Owner);
