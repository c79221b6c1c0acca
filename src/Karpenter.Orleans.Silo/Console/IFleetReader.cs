using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Silo.Console;

/// <summary>What <see cref="FleetSnapshotRefresher"/> reads: the registrations, the fleet's cost and each cluster (the grains; tests substitute their own).</summary>
internal interface IFleetReader
{
    Task<IReadOnlyList<RegisteredCluster>> GetClustersAsync();

    Task<FleetCost> GetCostAsync();

    Task<ClusterAnswer> ReadClusterAsync(string clusterId);
}
