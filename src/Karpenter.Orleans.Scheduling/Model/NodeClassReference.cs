namespace Karpenter.Orleans.Scheduling.Model;

/// <summary><c>spec.template.spec.nodeClassRef</c>: the provider-specific node class.</summary>
public sealed record NodeClassReference(string Group, string Kind, string Name);
