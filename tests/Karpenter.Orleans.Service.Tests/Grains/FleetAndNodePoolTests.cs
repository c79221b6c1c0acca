using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Service.Tests.TestSupport;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>The fleet registry and roll-ups, NodePool validation and usage, and drift.</summary>
public sealed class FleetAndNodePoolTests
{
    [Fact]
    public async Task The_fleet_rolls_capacity_up_by_any_grouping_and_finds_clusters_by_token()
    {
        await using var service = await ServiceCluster.StartAsync();
        var east = await RegisterAsync(service.Grains, "roll-east", Pods("a", 10), region: "us-east-1");
        var west = await RegisterAsync(service.Grains, "roll-west", Pods("b", 10), region: "us-west-2");
        await east.ProvisionAsync();
        await west.ProvisionAsync();
        var fleet = service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey);
        var expected = (await east.GetNodeClaimsAsync()).Count + (await west.GetNodeClaimsAsync()).Count;

        await Eventually.TrueAsync(async () => (await fleet.GetCapacityAsync(["region"])).Sum(r => r.Nodes) == expected, "both clusters reported");
        var byRegion = await fleet.GetCapacityAsync(["region"]);
        var byZoneAndType = await fleet.GetCapacityAsync(["cluster", "zone", "capacityType"]);

        Assert.Equal(["us-east-1", "us-west-2"], byRegion.Select(r => r.Group["region"]));
        Assert.Equal(expected, byZoneAndType.Sum(r => r.Nodes));
        Assert.All(byZoneAndType, r => Assert.Equal(["capacityType", "cluster", "zone"], r.Group.Keys.Order(StringComparer.Ordinal)));
        var cost = await fleet.GetCostAsync();
        Assert.Equal(cost.Clusters.Sum(c => c.PricePerHour), cost.PricePerHour, 6);
        Assert.True(cost.PricePerHour > 0);
        Assert.Equal("roll-west", await fleet.FindClusterByTokenAsync(Sha256("token-roll-west")));
        Assert.Null(await fleet.FindClusterByTokenAsync(Sha256("token-nobody")));
        await Assert.ThrowsAsync<ArgumentException>(() => fleet.GetCapacityAsync(["colour"]));
    }

    [Fact]
    public async Task Unregistering_forgets_the_token_and_the_cluster_registration()
    {
        await using var service = await ServiceCluster.StartAsync();
        await RegisterAsync(service.Grains, "gone", []);
        var fleet = service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey);

        Assert.True(await fleet.UnregisterClusterAsync("gone"));

        Assert.Null(await fleet.FindClusterByTokenAsync(Sha256("token-gone")));
        Assert.Null(await service.Grains.GetGrain<IClusterGrain>("gone").GetRegistrationAsync());
        Assert.Empty(await fleet.GetClustersAsync());
    }

    [Fact]
    public async Task An_unknown_provider_registers_nothing()
    {
        await using var service = await ServiceCluster.StartAsync();
        var fleet = service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey);

        await Assert.ThrowsAnyAsync<Exception>(() => fleet.RegisterClusterAsync(new ClusterRegistration("x", "gcp", "us-east1", "p"), Sha256("t")));

        Assert.Empty(await fleet.GetClustersAsync());
    }

    [Fact]
    public async Task A_NodePool_is_validated_like_karpo_simulate_and_reports_usage_against_limits()
    {
        await using var service = await ServiceCluster.StartAsync();
        var pool = service.Grains.GetGrain<INodePoolGrain>("np/default");

        var bad = await pool.SetSpecAsync(NodePool(extraRequirement: ", {\"key\": \"karpenter.k8s.aws/instance-cpu\", \"operator\": \"Gt\", \"values\": [\"four\"]}"));
        Assert.False(bad.Valid);
        Assert.Contains("requirements", bad.Error, StringComparison.Ordinal);
        Assert.Contains("four", bad.Error, StringComparison.Ordinal);

        var cluster = await RegisterAsync(service.Grains, "np", Pods("w", 8), nodePool: NodePool(limitsCpu: "64"));
        await cluster.ProvisionAsync();
        var status = Assert.Single(await cluster.GetNodePoolsAsync());
        await Eventually.TrueAsync(async () => (await pool.GetAsync())!.NodeClaims > 0, "usage reported");
        status = (await pool.GetAsync())!;
        Assert.True(status.Valid);
        Assert.Equal("64", status.Limits["cpu"]);
        Assert.Equal((await cluster.GetNodeClaimsAsync()).Count, status.NodeClaims);
        Assert.True(new k8s.Models.ResourceQuantity(status.Usage["cpu"]).ToDouble() > 0);
    }

    [Fact]
    public async Task An_invalid_NodePool_from_the_agent_is_listed_with_its_error_and_provisions_nothing()
    {
        await using var service = await ServiceCluster.StartAsync();
        var cluster = await RegisterAsync(service.Grains, "badpool", [Pod("w-0")]);
        var bad = NodePool(name: "gpu", extraRequirement: ", {\"key\": \"karpenter.k8s.aws/instance-cpu\", \"operator\": \"Gt\", \"values\": [\"four\"]}");

        var result = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [new ObjectDelta(1, DeltaType.Upsert, ObjectKind.NodePool, null, "gpu", bad)]));

        Assert.Single(result.Errors);
        var pools = await cluster.GetNodePoolsAsync();
        Assert.Equal(["default", "gpu"], pools.Select(p => p.Name));
        var gpu = pools.Single(p => p.Name == "gpu");
        Assert.False(gpu.Valid);
        Assert.Contains("four", gpu.Error, StringComparison.Ordinal);
        await cluster.ProvisionAsync();
        Assert.All(await cluster.GetNodeClaimsAsync(), c => Assert.Equal("default", c.NodePool));
    }

    [Fact]
    public async Task Changing_a_NodePool_template_marks_its_nodes_drifted()
    {
        await using var service = await ServiceCluster.StartAsync();
        var cluster = await RegisterAsync(service.Grains, "drift", [Pod("d-0")]);
        await cluster.ProvisionAsync();
        var claim = Assert.Single(await cluster.GetNodeClaimsAsync());
        await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [Upsert(1, NodeFor(claim))]));
        Assert.Equal(NodeClaimPhase.Initialized, Assert.Single(await cluster.GetNodeClaimsAsync()).Phase);

        // Same requirements, a new taint on the template: static drift.
        var tainted = NodePool().Replace("\"requirements\"", "\"taints\": [{\"key\": \"team\", \"value\": \"a\", \"effect\": \"NoSchedule\"}], \"requirements\"", StringComparison.Ordinal);
        var result = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [new ObjectDelta(2, DeltaType.Upsert, ObjectKind.NodePool, null, "default", tainted)]));

        Assert.Empty(result.Errors);
        var drifted = Assert.Single(await cluster.GetNodeClaimsAsync());
        Assert.Equal(NodeClaimPhase.Drifted, drifted.Phase);
        Assert.Contains("template changed", drifted.Reason, StringComparison.Ordinal);
    }
}
