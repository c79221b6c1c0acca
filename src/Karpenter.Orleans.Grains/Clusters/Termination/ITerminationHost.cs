using k8s.Models;

namespace Karpenter.Orleans.Grains.Clusters.Termination;

/// <summary>What the termination flow needs from the cluster grain that holds its state.</summary>
internal interface ITerminationHost
{
    string ClusterId { get; }

    DateTimeOffset Now { get; }

    ClusterState State { get; }

    /// <summary>True once the agent's snapshot arrived since activation: before that, no pod or node is known and nothing may be concluded from their absence.</summary>
    bool AgentSynced { get; }

    bool HasNode(string node);

    /// <summary>Every pod bound to the node (DaemonSet and mirror pods too), as the agent last reported them, by namespace/name.</summary>
    IReadOnlyList<TrackedPod> PodsOn(string node);

    /// <summary>Every pod of the cluster as last reported: what PodDisruptionBudgets are counted over.</summary>
    IReadOnlyCollection<V1Pod> AllPods();

    /// <summary>The cluster's PodDisruptionBudgets.</summary>
    IReadOnlyList<V1PodDisruptionBudget> PodDisruptionBudgets { get; }

    /// <summary>The NodePool's terminationGracePeriod, or null (none set, or the NodePool is unknown).</summary>
    TimeSpan? TerminationGracePeriod(string nodePool);

    /// <summary>Moves the claim's own grain to Disrupting, Draining or Terminating and takes the answer into the index.</summary>
    Task MarkPhaseAsync(string claim, NodeClaimPhase phase, string reason);

    /// <summary>Terminates the claim's instance through its grain (once; idempotent) and takes the answer into the index.</summary>
    Task TerminateAsync(string claim, string reason);

    /// <summary>Writes the cluster's state now (before a step whose effect cannot be taken back).</summary>
    Task SaveAsync();
}
