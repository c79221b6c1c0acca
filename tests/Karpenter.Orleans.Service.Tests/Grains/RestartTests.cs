using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Service.Tests.Storage;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Karpenter.Orleans.Storage;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>The service's state survives a restart of its silos, on SQLite and on PostgreSQL.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Registrations_claims_and_the_quota_ledger_survive_a_restart_on_SQLite()
    {
        var folder = Path.Combine(Path.GetTempPath(), "karpo-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            await RestartAsync(new KarpoStorageOptions { Provider = StorageProvider.Sqlite, SqlitePath = Path.Combine(folder, "karpo.db") });
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Registrations_claims_and_the_quota_ledger_survive_a_restart_on_PostgreSQL()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        await RestartAsync(new KarpoStorageOptions { Provider = StorageProvider.PostgreSql, ConnectionString = schema.ConnectionString });
    }

    private static async Task RestartAsync(KarpoStorageOptions storage)
    {
        var world = new DurableServiceCluster.World();
        var serviceId = StorageTestClusters.UniqueId("restart-svc");
        var pods = Pods("web", 30).ToList();
        IReadOnlyList<NodeClaimInfo> before;
        await using (var first = await DurableServiceCluster.StartAsync(world, storage, serviceId, StorageTestClusters.UniqueId("restart")))
        {
            var cluster = await RegisterAsync(first.Grains, "durable", pods);
            await cluster.ProvisionAsync();
            before = await cluster.GetNodeClaimsAsync();
            Assert.NotEmpty(before);
        }

        await using var second = await DurableServiceCluster.StartAsync(world, storage, serviceId, StorageTestClusters.UniqueId("restart"));
        var registered = Assert.Single(await second.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).GetClustersAsync());
        Assert.Equal("durable", registered.Registration.ClusterId);
        Assert.Equal("durable", await second.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).FindClusterByTokenAsync(Sha256("token-durable")));
        var again = second.Grains.GetGrain<IClusterGrain>("durable");
        var after = await again.GetNodeClaimsAsync();
        Assert.Equal(before.Select(c => (c.Name, c.InstanceId, c.Phase)), after.Select(c => (c.Name, c.InstanceId, c.Phase)));
        var claim = await second.Grains.GetGrain<INodeClaimGrain>($"durable/{before[0].Name}").GetAsync();
        Assert.Equal(before[0].InstanceId, claim!.InstanceId);

        // Pods were memory only: the agent is asked for a snapshot, and the pods it sends back
        // keep their places on the claims in flight, so nothing is launched again.
        var delta = await again.ApplyDeltasAsync(new DeltaBatch("session-1", [Upsert(1, Pod("late-0"))]));
        Assert.True(delta.ResyncRequired);
        await again.ResyncAsync(new ClusterSnapshot("session-2", 0, [new ClusterObject(ObjectKind.NodePool, NodePool()), .. pods.Select(Object)]));
        var report = await again.ProvisionAsync();
        Assert.Equal(0, report.NodeClaimsCreated);
        Assert.Equal(before.Count, world.Cloud.InstancesCreated);

        var ledger = await second.Grains.GetGrain<IQuotaGrain>($"simulated/{Account}/us-east-1").GetLedgerAsync();
        Assert.True(ledger.Sum(l => l.InUse) > 0);
    }
}
