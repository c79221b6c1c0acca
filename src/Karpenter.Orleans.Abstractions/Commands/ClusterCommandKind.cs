namespace Karpenter.Orleans.Abstractions;

/// <summary>What the service asks a cluster's agent to do. Stored by name; new kinds go at the end.</summary>
[GenerateSerializer]
public enum ClusterCommandKind
{
    /// <summary>Add the taint (karpenter.sh/disrupted:NoSchedule) to the node, so nothing new is scheduled there.</summary>
    TaintNode,

    /// <summary>Remove the taint again: a disruption was given up.</summary>
    UntaintNode,

    /// <summary>Evict the pod through the Eviction API (PodDisruptionBudgets apply; a 429 is answered <c>refused</c>).</summary>
    EvictPod,

    /// <summary>Delete the pod without the Eviction API (past the NodePool's terminationGracePeriod).</summary>
    DeletePod,

    /// <summary>Delete the Node object; its instance is already being terminated.</summary>
    DeleteNode,
}
