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

    /// <summary>
    /// The batch timer launches a claim and the silo stops before a reconcile writes the index, so the stored index
    /// knows no instance for it. After the restart the instance's Node arrives first (a kubelet registers as the
    /// instance boots); the reconcile that learns the instance from the claim must join that Node then, not wait for
    /// the Node to change again.
    /// </summary>
    [Fact]
    public async Task A_claim_launched_just_before_a_restart_joins_the_Node_that_arrived_before_its_index_entry_knew_the_instance()
    {
        var folder = Path.Combine(Path.GetTempPath(), "karpo-restart-" + Guid.NewGuid().ToString("N"));
        var storage = new KarpoStorageOptions { Provider = StorageProvider.Sqlite, SqlitePath = Path.Combine(folder, "karpo.db") };
        var settings = new Dictionary<string, string?>
        {
            ["Karpo:Provisioning:Timers"] = "true",
            ["Karpo:Provisioning:BatchIdleDuration"] = "00:00:00.100",
            ["Karpo:Provisioning:ReconcileInterval"] = "01:00:00",
        };
        try
        {
            var world = new DurableServiceCluster.World();
            var serviceId = StorageTestClusters.UniqueId("late-index-svc");
            var pods = Pods("web", 2).ToList();
            NodeClaimInfo launched;
            await using (var first = await DurableServiceCluster.StartAsync(world, storage, serviceId, StorageTestClusters.UniqueId("late-index"), settings: settings))
            {
                var cluster = await RegisterAsync(first.Grains, "late-index", pods);
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while ((await cluster.GetNodeClaimsAsync()).FirstOrDefault(c => c.InstanceId is not null) is not { } found)
                {
                    Assert.True(DateTime.UtcNow < deadline, "the batch timer launched no claim within a minute");
                    // The batch window closes on the service's clock, which the test drives.
                    world.Clock.Advance(TimeSpan.FromMilliseconds(200));
                    await Task.Delay(100);
                }

                launched = (await cluster.GetNodeClaimsAsync()).First(c => c.InstanceId is not null);
            }

            await using var second = await DurableServiceCluster.StartAsync(world, storage, serviceId, StorageTestClusters.UniqueId("late-index"), settings: settings);
            var again = second.Grains.GetGrain<IClusterGrain>("late-index");
            // The scenario's premise: what was stored before the launch knows no instance.
            Assert.Null((await again.GetNodeClaimsAsync()).Single(c => c.Name == launched.Name).InstanceId);

            var node = NodeFor(launched);
            Assert.Empty((await again.ResyncAsync(new ClusterSnapshot("session-2", 0, [new ClusterObject(ObjectKind.NodePool, NodePool()), .. pods.Select(Object), Object(node)]))).Errors);
            await again.ReconcileAsync();

            var joined = (await again.GetNodeClaimsAsync()).Single(c => c.Name == launched.Name);
            Assert.Equal((launched.InstanceId, node.Metadata.Name, NodeClaimPhase.Initialized), (joined.InstanceId, joined.NodeName, joined.Phase));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
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
