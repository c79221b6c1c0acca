namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>A status condition with Karpenter's types (<c>Ready</c>, <c>SubnetsReady</c>, ...), and when false, why.</summary>
public sealed record NodeClassCondition(string Type, bool Status, string Reason, string Message);
