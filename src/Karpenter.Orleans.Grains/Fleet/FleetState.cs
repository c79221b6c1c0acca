namespace Karpenter.Orleans.Grains.Fleet;

/// <summary>Persisted fleet: the registry, the spend ledger and the latest capacity report of each cluster.</summary>
public sealed class FleetState
{
    public Dictionary<string, RegisteredCluster> Clusters { get; set; } = new(StringComparer.Ordinal);

    public double? SpendCapPerHour { get; set; }

    /// <summary>Hourly price held per "cluster/nodeclaim": launches in flight and running instances.</summary>
    public Dictionary<string, double> Spend { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, ClusterCapacityReport> Reports { get; set; } = new(StringComparer.Ordinal);
}
