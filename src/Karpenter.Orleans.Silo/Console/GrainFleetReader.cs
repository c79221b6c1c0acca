using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Silo.Console;

/// <summary>Reads the fleet from its grains; a cluster's three reads are interleaved ones, answered while the cluster's turn waits.</summary>
internal sealed class GrainFleetReader(IGrainFactory grains) : IFleetReader
{
    private IFleetGrain Fleet => grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey);

    public Task<IReadOnlyList<RegisteredCluster>> GetClustersAsync() => Fleet.GetClustersAsync();

    public Task<FleetCost> GetCostAsync() => Fleet.GetCostAsync();

    public async Task<ClusterAnswer> ReadClusterAsync(string clusterId)
    {
        var cluster = grains.GetGrain<IClusterGrain>(clusterId);
        var status = cluster.GetStatusAsync();
        var claims = cluster.GetNodeClaimsForFleetAsync();
        var pending = cluster.GetPendingPodsAsync();
        await Task.WhenAll(status, claims, pending);
        return new ClusterAnswer(
            await status,
            await claims,
            [.. (await pending).Select(p => new FleetPendingPod(clusterId, p.Namespace, p.Name, p.Reason, p.PendingSince, p.NodeClaim))]);
    }
}
