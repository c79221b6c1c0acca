using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Agent.Streaming;

namespace Karpenter.Orleans.Agent;

/// <summary>
/// What one feedback poll publishes: the service's NodePools and pending pods, its NodeClaims and node classes
/// (for NodePool <c>status.resources</c> and EC2NodeClass status), and the agent's own view of the cluster
/// (<see cref="Mirror"/>: the Nodes' capacity, which EC2NodeClasses exist) with what the service refused of it.
/// </summary>
public sealed record ClusterFeedbackInput(IReadOnlyList<NodePoolStatus> NodePools, IReadOnlyList<PendingPod> Pending)
{
    /// <summary>The service's NodeClaims; null when not known (NodePool resources then come from the service's usage alone).</summary>
    public IReadOnlyList<NodeClaimInfo>? NodeClaims { get; init; }

    /// <summary>The service's node classes with what its provider resolved; null when not known (no node class status is written).</summary>
    public IReadOnlyList<NodeClassInfo>? NodeClasses { get; init; }

    /// <summary>The agent's view of the cluster this term, or null.</summary>
    public ClusterMirror? Mirror { get; init; }

    /// <summary>What the service refused of what the agent sent, or null.</summary>
    public RefusedObjects? Refused { get; init; }
}
