using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Service.Tests.Storage;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Karpenter.Orleans.Storage;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>Two silos on PostgreSQL clustering; one dies mid-provisioning; the fleet converges.</summary>
public sealed class SiloFailureTests
{
    [Fact]
    public async Task A_silo_killed_mid_provisioning_leaves_no_duplicate_and_no_orphaned_instance()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var world = new DurableServiceCluster.World();
        await using var service = await DurableServiceCluster.StartAsync(world,
            new KarpoStorageOptions { Provider = StorageProvider.PostgreSql, ConnectionString = schema.ConnectionString },
            StorageTestClusters.UniqueId("kill-svc"), StorageTestClusters.UniqueId("kill"), silos: 2);
        var names = Enumerable.Range(0, 6).Select(i => $"kill-{i}").ToList();
        var pods = names.ToDictionary(n => n, n => Pods("app", 25, cpu: "1", memory: "2Gi").ToList());
        foreach (var name in names)
        {
            await RegisterAsync(service.Grains, name, pods[name]);
        }

        // Provisioning everywhere at once; the second silo dies as soon as launches are under way.
        var runs = names.Select(n => service.Grains.GetGrain<IClusterGrain>(n).ProvisionAsync()).ToList();
        await Eventually.TrueAsync(() => Task.FromResult(world.Cloud.LaunchCallCount > 0), "launches start");
        await service.Cluster.KillSiloAsync(service.Cluster.SecondarySilos[0]);
        foreach (var run in runs)
        {
            try
            {
                await run;
            }
            catch (Exception)
            {
                // Calls into the dead silo fail; convergence below is what matters.
            }
        }

        // Converge the way the running service does: agents resync when asked, clusters reconcile and provision.
        for (var round = 0; round < 60 && !await ConvergedAsync(service, world, names); round++)
        {
            foreach (var name in names)
            {
                try
                {
                    var cluster = service.Grains.GetGrain<IClusterGrain>(name);
                    var probe = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", []));
                    if (probe.ResyncRequired)
                    {
                        await cluster.ResyncAsync(new ClusterSnapshot("session-1", probe.LastSequence,
                            [new ClusterObject(ObjectKind.NodePool, NodePool()), .. pods[name].Select(Object)]));
                    }

                    await cluster.ReconcileAsync();
                    await cluster.ProvisionAsync();
                }
                catch (Exception) when (round < 59)
                {
                    // The dead silo is not yet declared dead; try again.
                }
            }

            // Simulated time moves on too, so claims whose create call died with the silo are given up.
            world.Clock.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(500);
        }

        Assert.True(await ConvergedAsync(service, world, names), "the fleet did not converge");
        foreach (var name in names)
        {
            var claims = (await service.Grains.GetGrain<IClusterGrain>(name).GetNodeClaimsAsync()).Where(c => c.Phase != NodeClaimPhase.Terminated).ToList();
            var instances = (await world.Cloud.ListAsync("us-east-1", name)).Where(i => i.State == CloudProviders.CloudInstanceState.Running || i.State == CloudProviders.CloudInstanceState.Pending).ToList();
            // No orphan: every running instance belongs to a live claim; no duplicate: one instance per claim.
            Assert.Equal(claims.Select(c => c.InstanceId).Order(), instances.Select(i => i.Id).Order());
            Assert.Equal(instances.Count, instances.Select(i => i.NodeClaim).Distinct().Count());
            Assert.All(await service.Grains.GetGrain<IClusterGrain>(name).GetPendingPodsAsync(), p => Assert.NotNull(p.NodeClaim));
        }
    }

    private static async Task<bool> ConvergedAsync(DurableServiceCluster service, DurableServiceCluster.World world, List<string> names)
    {
        try
        {
            foreach (var name in names)
            {
                var cluster = service.Grains.GetGrain<IClusterGrain>(name);
                var claims = await cluster.GetNodeClaimsAsync();
                if (claims.Any(c => c.Phase == NodeClaimPhase.Pending))
                {
                    return false;
                }

                var live = claims.Where(c => c.Phase != NodeClaimPhase.Terminated).Select(c => c.InstanceId).ToHashSet();
                var instances = (await world.Cloud.ListAsync("us-east-1", name))
                    .Where(i => i.State is CloudProviders.CloudInstanceState.Running or CloudProviders.CloudInstanceState.Pending).ToList();
                if (instances.Any(i => !live.Contains(i.Id)) || (await cluster.GetPendingPodsAsync()).Any(p => p.NodeClaim is null) ||
                    (await cluster.GetStatusAsync()).PendingPods == 0 && live.Count == 0)
                {
                    return false;
                }
            }

            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
