namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>A security group an <c>EC2NodeClass</c>'s terms matched.</summary>
public sealed record ResolvedSecurityGroup(string Id, string Name);
