using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Service.Tests.Storage;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Karpenter.Orleans.Storage;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>An instance id is bound to one NodeClaim only, whatever the cloud answers.</summary>
public sealed class InstanceBindingTests
{
    private static InstanceRecord Record(string cluster, string claim) =>
        new("i-0feedfacecafe0001", "simulated", "us-east-1", "us-east-1a", "m5.large", "on-demand", "Running", cluster, claim, DateTimeOffset.UnixEpoch, []);

    [Fact]
    public async Task A_second_claim_is_refused_the_instance_and_told_who_holds_it()
    {
        await using var service = await ServiceCluster.StartAsync();
        var instance = service.Grains.GetGrain<IInstanceGrain>("simulated/us-east-1/i-0feedfacecafe0001");

        Assert.Null(await instance.BindAsync(Record("probe-a", "default-msnwb")));
        var holder = await instance.BindAsync(Record("prod-use1", "default-2vpld"));
        // The claim that holds it may still update its record.
        var update = await instance.BindAsync(Record("probe-a", "default-msnwb") with { State = "ShuttingDown" });

        Assert.Equal(("probe-a", "default-msnwb"), (holder!.ClusterId, holder.NodeClaim));
        Assert.Null(update);
        var kept = (await instance.GetAsync())!;
        Assert.Equal(("probe-a", "default-msnwb", "ShuttingDown"), (kept.ClusterId, kept.NodeClaim, kept.State));
    }

    [Fact]
    public async Task A_cloud_that_forgot_its_instances_cannot_make_two_clusters_share_one()
    {
        // The old embedded default: claims persisted in SQLite, the simulated cloud only in memory. After a
        // restart the new cloud hands out the ids live claims already hold.
        var folder = Path.Combine(Path.GetTempPath(), "karpo-binding-" + Guid.NewGuid().ToString("N"));
        var storage = new KarpoStorageOptions { Provider = StorageProvider.Sqlite, SqlitePath = Path.Combine(folder, "karpo.db") };
        try
        {
            var world = new DurableServiceCluster.World();
            var serviceId = StorageTestClusters.UniqueId("binding-svc");
            IReadOnlyList<NodeClaimInfo> first;
            await using (var before = await DurableServiceCluster.StartAsync(world, storage, serviceId, StorageTestClusters.UniqueId("binding")))
            {
                var probe = await RegisterAsync(before.Grains, "probe-a", Pods("web", 12));
                await probe.ProvisionAsync();
                first = await probe.GetNodeClaimsAsync();
                Assert.NotEmpty(first);
            }

            world.Cloud = ServiceCluster.NewCloud(world.Clock);
            await using var after = await DurableServiceCluster.StartAsync(world, storage, serviceId, StorageTestClusters.UniqueId("binding"));
            var prod = await RegisterAsync(after.Grains, "prod-use1", Pods("api", 12));
            await prod.ProvisionAsync();

            var probeClaims = await after.Grains.GetGrain<IClusterGrain>("probe-a").GetNodeClaimsAsync();
            var prodClaims = await prod.GetNodeClaimsAsync();
            Assert.Equal(first.Select(c => (c.Name, c.InstanceId)), probeClaims.Select(c => (c.Name, c.InstanceId)));
            Assert.All(probeClaims, c => Assert.NotEqual(NodeClaimPhase.Terminated, c.Phase));

            // prod's launches that came back with probe's ids were refused and ended without an instance.
            var refused = prodClaims.Where(c => c.Reason?.Contains("already holds", StringComparison.Ordinal) == true).ToList();
            Assert.NotEmpty(refused);
            Assert.All(refused, c => Assert.Equal((NodeClaimPhase.Terminated, (string?)null), (c.Phase, c.InstanceId)));
            var held = probeClaims.Concat(prodClaims).Where(c => c.InstanceId is not null).GroupBy(c => c.InstanceId!, StringComparer.Ordinal);
            Assert.All(held, g => Assert.Single(g));
            foreach (var claim in first)
            {
                var record = await after.Grains.GetGrain<IInstanceGrain>($"simulated/us-east-1/{claim.InstanceId}").GetAsync();
                Assert.Equal(("probe-a", claim.Name), (record!.ClusterId, record.NodeClaim));
            }

            // The refused pods go back to the provisioner, whose next launches get ids nobody holds.
            var probeIds = probeClaims.Select(c => c.InstanceId!).ToHashSet(StringComparer.Ordinal);
            for (var run = 0; run < 5 && !(await prod.GetNodeClaimsAsync()).Any(c => c.Phase != NodeClaimPhase.Terminated && c.InstanceId is not null); run++)
            {
                await prod.ProvisionAsync();
            }

            var live = (await prod.GetNodeClaimsAsync()).Where(c => c.Phase != NodeClaimPhase.Terminated).ToList();
            Assert.NotEmpty(live);
            Assert.All(live, c => Assert.DoesNotContain(c.InstanceId!, probeIds));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
