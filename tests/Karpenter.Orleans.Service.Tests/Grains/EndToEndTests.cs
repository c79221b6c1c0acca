using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Karpenter.Orleans.Simulation;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>
/// The whole loop on real silos and real time: simulated clusters (agent + kube-scheduler stand-in)
/// report pending pods, the service batches, solves and launches, instances join as nodes, pods bind;
/// then the load goes away and empty nodes are consolidated.
/// </summary>
public sealed class EndToEndTests
{
    [Fact]
    public async Task A_thousand_pending_pods_across_three_clusters_are_all_bound_and_the_nodes_go_when_the_load_does()
    {
        await using var service = await ServiceCluster.StartAsync(realTime: true, configure: s =>
        {
            s["Karpo:Provisioning:Timers"] = "true";
            s["Karpo:Provisioning:BatchIdleDuration"] = "00:00:00.200";
            s["Karpo:Provisioning:BatchMaxDuration"] = "00:00:02";
            s["Karpo:Provisioning:ReconcileInterval"] = "00:00:00.500";
            // Scaling in 336 nodes under 10% budgets takes about 30 validated emptiness batches; at Karpenter's
            // 15 s each that is the test's whole budget, and the validation itself is tested on a fake clock.
            s["Karpo:Provisioning:ConsolidationValidationPeriod"] = "00:00:00.500";
        });
        var fleet = service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey);
        var clusters = new List<SimulatedCluster>();
        foreach (var (id, region, replicas) in new[] { ("e2e-use1", "us-east-1", 334), ("e2e-usw2", "us-west-2", 333), ("e2e-use1b", "us-east-1", 333) })
        {
            var registration = TestObjects.Registration(id, region);
            await fleet.RegisterClusterAsync(registration, TestObjects.Sha256("agent-" + id));
            var cluster = new SimulatedCluster(registration, service.Grains.GetGrain<IClusterGrain>(id), service.Cloud);
            cluster.RemoveAllWorkloads();
            cluster.AddWorkload(new SimulatedWorkload("burst", Spec(), replicas));
            clusters.Add(cluster);
        }

        await TickUntilAsync(clusters, () => clusters.Sum(c => c.BoundPods) == 1000 && clusters.All(c => c.PendingPods == 0), "all 1,000 pods are bound", 90);

        Assert.Equal(1000, clusters.Sum(c => c.BoundPods));
        var claims = new List<NodeClaimInfo>();
        foreach (var c in clusters)
        {
            var status = await service.Grains.GetGrain<IClusterGrain>(c.ClusterId).GetStatusAsync();
            Assert.Equal(0, status.PendingPods);
            claims.AddRange(await service.Grains.GetGrain<IClusterGrain>(c.ClusterId).GetNodeClaimsAsync());
        }

        var live = claims.Where(c => c.Phase != NodeClaimPhase.Terminated).ToList();
        Assert.All(live, c => Assert.Equal(NodeClaimPhase.Initialized, c.Phase));
        Assert.Equal(live.Count, clusters.Sum(c => c.Nodes));
        var capacity = await fleet.GetCapacityAsync(["cluster"]);
        Assert.Equal(3, capacity.Count);

        // The load goes; empty nodes are consolidated after consolidateAfter (30 s in the default NodePool).
        foreach (var c in clusters)
        {
            c.RemoveAllWorkloads();
        }

        await TickUntilAsync(clusters, () => clusters.All(c => c.Nodes == 0 && c.BoundPods == 0), "every node is gone", 120);
        foreach (var c in clusters)
        {
            var running = (await service.Cloud.ListAsync(c.Region, c.ClusterId)).Where(i => i.State is CloudInstanceState.Running or CloudInstanceState.Pending);
            Assert.Empty(running);
            Assert.All(await service.Grains.GetGrain<IClusterGrain>(c.ClusterId).GetNodeClaimsAsync(), n => Assert.Equal(NodeClaimPhase.Terminated, n.Phase));
        }

        Assert.Equal(0, (await fleet.GetCostAsync()).CommittedPerHour, 6);
    }

    private static V1PodSpec Spec() => new()
    {
        Containers =
        [
            new V1Container
            {
                Name = "app",
                Image = "app",
                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("1Gi") } },
            },
        ],
    };

    private static async Task TickUntilAsync(List<SimulatedCluster> clusters, Func<bool> done, string what, int seconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not converged in {seconds}s waiting until {what}: " + string.Join("; ",
                    clusters.Select(c => $"{c.ClusterId} pending {c.PendingPods} bound {c.BoundPods} nodes {c.Nodes}")));
            }

            await Task.WhenAll(clusters.Select(c => c.TickAsync()));
            await Task.Delay(100);
        }
    }
}
