namespace Karpenter.Orleans.CloudProviders;

/// <summary>
/// A cluster's node class object (an <c>EC2NodeClass</c> for AWS) as the cluster sent it, kept opaque
/// outside the provider that understands it: the service stores and forwards it; the provider parses,
/// validates and resolves it. <see cref="Json"/> is the whole object as JSON.
/// </summary>
public sealed record NodeClassDocument(string ApiVersion, string Kind, string Name, string Json);
