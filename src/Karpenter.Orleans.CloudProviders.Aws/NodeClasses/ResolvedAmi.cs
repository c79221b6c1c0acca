namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>The image an <c>EC2NodeClass</c> launches for one CPU architecture (<c>x86_64</c>, <c>arm64</c>).</summary>
public sealed record ResolvedAmi(string Id, string Name, string Architecture);
