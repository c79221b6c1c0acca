namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>
/// What a cluster keeps across restarts: its registration and its NodeClaims. Pods, nodes and NodePools
/// are not kept: the agent sends them again (a full resync) whenever the service asks.
/// </summary>
public sealed class ClusterState
{
    public ClusterRegistration? Registration { get; set; }

    public Dictionary<string, ClaimEntry> Claims { get; set; } = new(StringComparer.Ordinal);

    public DateTimeOffset? LastProvisionedAt { get; set; }
}
