using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Agent.Streaming;

/// <summary>One Kubernetes object as the service knows it: kind, namespace (null for cluster-scoped kinds) and name.</summary>
public readonly record struct ObjectKey(ObjectKind Kind, string? Namespace, string Name)
{
    public override string ToString() => Namespace is null ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";
}
