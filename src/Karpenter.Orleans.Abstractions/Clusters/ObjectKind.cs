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

    /// <summary>A provider's node class (an <c>EC2NodeClass</c> for AWS), named by NodePools' <c>nodeClassRef</c>.</summary>
    NodeClass,
}
