using Karpenter.Orleans.Grains.Clusters.Disruption;
using Karpenter.Orleans.Grains.Clusters.Termination;

namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>
/// What a cluster keeps across restarts: its registration, its NodeClaims, its node classes, the commands its
/// agent has not acknowledged, the terminations in progress and the disruption queue. Pods, nodes and NodePools
/// are not kept: the agent sends them again (a full resync) whenever the service asks.
/// </summary>
public sealed class ClusterState
{
    public ClusterRegistration? Registration { get; set; }

    public Dictionary<string, ClaimEntry> Claims { get; set; } = new(StringComparer.Ordinal);

    public DateTimeOffset? LastProvisionedAt { get; set; }

    /// <summary>
    /// The node classes the agent sent, by name; launches take theirs from here. Kept so they are known at once
    /// after a restart; state stored before node classes existed reads as none.
    /// </summary>
    public Dictionary<string, NodeClassManifest> NodeClasses { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The agent's outbox, oldest first.</summary>
    public List<CommandEntry> Commands { get; set; } = [];

    /// <summary>Terminations in progress, by NodeClaim.</summary>
    public Dictionary<string, ClaimTermination> Terminations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The disruption orchestration queue, oldest first; ended commands stay listed for a while.</summary>
    public List<QueuedDisruption> Disruptions { get; set; } = [];

    /// <summary>Numbers the queue's commands.</summary>
    public long DisruptionCounter { get; set; }
}
