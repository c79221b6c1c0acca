using System.Globalization;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Karpenter.Orleans.Simulation;
using Xunit.Abstractions;

namespace Karpenter.Orleans.Service.Tests.Simulation;

/// <summary>
/// The embedded default's cluster as a new user sees it: the default NodePools, DaemonSet, PodDisruptionBudgets
/// and workload curve (a 2-minute wave), stepped a second at a time on the fake clock. Within its first periods
/// the service consolidates nodes that still run pods (reason Underutilized: deleted or replaced by a cheaper
/// node, their pods evicted through the cluster), not only the nodes a fall leaves empty.
/// </summary>
public sealed class SimulatedFleetConsolidationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_default_workload_gets_nodes_that_still_run_pods_consolidated_within_its_first_periods()
    {
        await using var service = await ServiceCluster.StartAsync();
        var registration = TestObjects.Registration("fleet-consolidate");
        await service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(registration, TestObjects.Sha256("agent-fleet-consolidate"));
        var grain = service.Grains.GetGrain<IClusterGrain>(registration.ClusterId);
        var cluster = new SimulatedCluster(registration, grain, service.Cloud, service.Clock);

        NodeClaimInfo? consolidated = null;
        var steps = 0;
        // Three periods of the wave at most: "within a few minutes of dotnet run".
        for (; steps < 360 && consolidated is null; steps++)
        {
            await cluster.TickAsync();
            await service.Poller.PollOnceAsync(CancellationToken.None);
            await grain.ProvisionAsync();
            await grain.ReconcileAsync();
            service.Clock.Advance(TimeSpan.FromSeconds(1));
            if (steps % 5 == 0 && cluster.PodsEvicted > 0)
            {
                consolidated = (await grain.GetNodeClaimsAsync()).FirstOrDefault(c =>
                    c.Phase == NodeClaimPhase.Terminated && c.Reason?.Contains("disruption: underutilized", StringComparison.Ordinal) == true);
            }
        }

        var claims = await grain.GetNodeClaimsAsync();
        var ended = claims.Where(c => c.Reason is not null).GroupBy(c => c.Reason!.Split(" (")[0]).Select(g => $"{g.Count()}× {g.Key}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"after {steps} s: {claims.Count} claims, {cluster.Nodes} nodes, {cluster.BoundPods} pods bound, {cluster.PodsEvicted} evicted; {string.Join("; ", ended)}"));
        // Consolidated, its pods evicted through the cluster's Eviction API (PDBs checked), not gone with the node.
        Assert.True(consolidated is not null, $"no node with pods was consolidated in {steps} s ({cluster.PodsEvicted} pods evicted): {string.Join("; ", ended)}");
    }
}
