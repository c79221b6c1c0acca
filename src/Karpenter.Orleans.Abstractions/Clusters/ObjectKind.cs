namespace Karpenter.Orleans.Abstractions;

/// <summary>The Kubernetes objects an agent reports.</summary>
[GenerateSerializer]
public enum ObjectKind
{
    Pod,
    Node,
    NodePool,
    DaemonSet,
    PodDisruptionBudget,
}
