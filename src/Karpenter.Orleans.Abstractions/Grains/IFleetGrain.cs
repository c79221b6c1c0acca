namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// The fleet, a single grain keyed <see cref="FleetKey"/>: the cluster registry, capacity roll-ups, and the
/// fleet-wide spend ledger.
/// </summary>
public interface IFleetGrain : IGrainWithStringKey
{
    public const string FleetKey = "fleet";

    /// <summary>Registers (or re-registers) a cluster with the SHA-256 of its agent token.</summary>
    Task<RegisteredCluster> RegisterClusterAsync(ClusterRegistration registration, string agentTokenSha256);

    Task<bool> UnregisterClusterAsync(string clusterId);

    Task<IReadOnlyList<RegisteredCluster>> GetClustersAsync();

    /// <summary>The cluster whose agent token has this SHA-256, if any.</summary>
    Task<string?> FindClusterByTokenAsync(string agentTokenSha256);

    [OneWay]
    Task ReportCapacityAsync(ClusterCapacityReport report);

    /// <summary>Capacity grouped by any of: cluster, region, zone, instanceType, capacityType, nodePool.</summary>
    Task<IReadOnlyList<CapacityRow>> GetCapacityAsync(IReadOnlyList<string> groupBy);

    Task<FleetCost> GetCostAsync();

    Task SetSpendCapAsync(double? pricePerHour);

    /// <summary>Holds the price of a launch against the fleet's cap; a retry for the same claim returns the same decision.</summary>
    Task<SpendDecision> TryReserveSpendAsync(string clusterId, string nodeClaim, double pricePerHour);

    /// <summary>
    /// Holds several launches of one provisioning run at once, in order: each is granted while the cap
    /// allows, and the ledger is written once.
    /// </summary>
    Task<IReadOnlyList<SpendDecision>> TryReserveSpendAsync(string clusterId, IReadOnlyList<SpendRequest> requests);

    Task ReleaseSpendAsync(string clusterId, string nodeClaim);
}
