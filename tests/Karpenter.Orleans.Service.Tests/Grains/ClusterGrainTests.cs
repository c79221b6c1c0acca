using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Service.Tests.TestSupport;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>The cluster grain on real silos: agent sync, provisioning, the NodeClaim index, pending reasons.</summary>
public sealed class ClusterGrainTests
{
    [Fact]
    public async Task Pending_pods_get_launched_NodeClaims_and_a_second_run_adds_nothing()
    {
        await using var service = await ServiceCluster.StartAsync();
        var cluster = await RegisterAsync(service.Grains, "alpha", Pods("web", 40));

        var report = await cluster.ProvisionAsync();

        Assert.Equal(40, report.PendingPods);
        Assert.Equal(40, report.Scheduled);
        Assert.True(report.NodeClaimsCreated > 0);
        var claims = await cluster.GetNodeClaimsAsync();
        Assert.Equal(report.NodeClaimsCreated, claims.Count);
        Assert.All(claims, c => Assert.Equal(NodeClaimPhase.Launched, c.Phase));
        Assert.Equal(claims.Count, service.Cloud.InstancesCreated);
        var pending = await cluster.GetPendingPodsAsync();
        Assert.All(pending, p => Assert.NotNull(p.NodeClaim));

        // In-flight claims count as capacity: nothing is launched twice for the same pods.
        var again = await cluster.ProvisionAsync();
        Assert.Equal(0, again.NodeClaimsCreated);
        Assert.Equal(claims.Count, service.Cloud.InstancesCreated);
    }

    [Fact]
    public async Task Nodes_registering_move_claims_to_initialized_and_bound_pods_stop_pending()
    {
        await using var service = await ServiceCluster.StartAsync();
        var pods = Pods("api", 6).ToList();
        var cluster = await RegisterAsync(service.Grains, "beta", pods);
        await cluster.ProvisionAsync();
        var claims = await cluster.GetNodeClaimsAsync();

        var seq = 0L;
        var deltas = claims.Select(c => Upsert(++seq, NodeFor(c))).ToList();
        var pending = await cluster.GetPendingPodsAsync();
        foreach (var p in pending)
        {
            var claim = claims.Single(c => c.Name == p.NodeClaim);
            var pod = pods.Single(x => x.Metadata.Name == p.Name);
            pod.Spec.NodeName = "node-" + claim.InstanceId;
            pod.Status.Phase = "Running";
            deltas.Add(Upsert(++seq, pod));
        }

        var result = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", deltas));

        Assert.Empty(result.Errors);
        Assert.Equal(deltas.Count, result.Applied);
        Assert.All(await cluster.GetNodeClaimsAsync(), c => Assert.Equal(NodeClaimPhase.Initialized, c.Phase));
        Assert.Empty(await cluster.GetPendingPodsAsync());
        var status = await cluster.GetStatusAsync();
        Assert.Equal(claims.Count, status.Nodes);
        Assert.Equal(0, status.PendingPods);
    }

    [Fact]
    public async Task Deltas_are_applied_in_order_duplicates_ignored_and_gaps_ask_for_a_resync()
    {
        await using var service = await ServiceCluster.StartAsync();
        var cluster = await RegisterAsync(service.Grains, "gamma", []);

        var first = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [Upsert(1, Pod("a-0")), Upsert(2, Pod("a-1"))]));
        var replay = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [Upsert(1, Pod("a-0")), Upsert(2, Pod("a-1")), Upsert(3, Pod("a-2"))]));
        var gap = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [Upsert(5, Pod("a-4"))]));
        var stranger = await cluster.ApplyDeltasAsync(new DeltaBatch("other-session", [Upsert(4, Pod("a-3"))]));

        Assert.Equal((2, 0, false, 2L), (first.Applied, first.Duplicates, first.ResyncRequired, first.LastSequence));
        Assert.Equal((1, 2, false, 3L), (replay.Applied, replay.Duplicates, replay.ResyncRequired, replay.LastSequence));
        Assert.True(gap.ResyncRequired);
        Assert.Equal(3L, gap.LastSequence);
        Assert.True(stranger.ResyncRequired);
        Assert.Equal(3, (await cluster.GetStatusAsync()).PendingPods);
    }

    [Fact]
    public async Task A_malformed_object_is_reported_by_sequence_and_the_rest_applies()
    {
        await using var service = await ServiceCluster.StartAsync();
        var cluster = await RegisterAsync(service.Grains, "delta", []);

        var result = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1",
        [
            Upsert(1, Pod("ok-0")),
            new ObjectDelta(2, DeltaType.Upsert, ObjectKind.Pod, "default", "bad-0", "{\"metadata\": {\"name\": 7}"),
            new ObjectDelta(3, DeltaType.Upsert, ObjectKind.Pod, "default", "nameless", "{\"spec\": {\"containers\": []}}"),
            Upsert(4, Pod("ok-1")),
        ]));

        Assert.Equal(2, result.Applied);
        Assert.Equal(2, result.Errors.Count);
        Assert.Contains("sequence 2", result.Errors[0], StringComparison.Ordinal);
        Assert.Contains("default/bad-0", result.Errors[0], StringComparison.Ordinal);
        Assert.Contains("metadata.name", result.Errors[1], StringComparison.Ordinal);
        Assert.Equal(4L, result.LastSequence);
        Assert.Equal(2, (await cluster.GetStatusAsync()).PendingPods);
    }

    [Fact]
    public async Task Without_a_NodePool_pods_wait_with_that_reason()
    {
        await using var service = await ServiceCluster.StartAsync();
        await service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(Registration("epsilon"), Sha256("t"));
        var cluster = service.Grains.GetGrain<IClusterGrain>("epsilon");
        await cluster.ResyncAsync(new ClusterSnapshot("s", 0, [Object(Pod("web-0"))]));

        var report = await cluster.ProvisionAsync();

        Assert.Equal(0, report.NodeClaimsCreated);
        var pending = Assert.Single(await cluster.GetPendingPodsAsync());
        Assert.Contains("no NodePool", pending.Reason, StringComparison.Ordinal);
        Assert.Equal(0, service.Cloud.LaunchCallCount);
    }

    [Fact]
    public async Task A_pod_too_big_for_any_type_says_why()
    {
        await using var service = await ServiceCluster.StartAsync();
        var cluster = await RegisterAsync(service.Grains, "zeta", [Pod("huge-0", cpu: "5000", memory: "1Gi")]);

        var report = await cluster.ProvisionAsync();

        Assert.Equal(1, report.Unschedulable);
        var pending = Assert.Single(await cluster.GetPendingPodsAsync());
        Assert.Null(pending.NodeClaim);
        Assert.DoesNotContain("waiting for the next", pending.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_spend_cap_is_never_crossed_and_pods_wait_with_the_cap_as_reason()
    {
        await using var service = await ServiceCluster.StartAsync();
        var cluster = await RegisterAsync(service.Grains, "capped", Pods("batch", 200, cpu: "2", memory: "4Gi"), spendCap: 1.0);

        await cluster.ProvisionAsync();

        var status = await cluster.GetStatusAsync();
        Assert.True(status.PricePerHour <= 1.0 + 1e-9, $"committed {status.PricePerHour}/h over the 1.0/h cap");
        Assert.True(status.NodeClaims > 0);
        var waiting = (await cluster.GetPendingPodsAsync()).Where(p => p.NodeClaim is null).ToList();
        Assert.NotEmpty(waiting);
        Assert.All(waiting, p => Assert.Contains("spend cap", p.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fleet_spend_cap_holds_across_clusters()
    {
        await using var service = await ServiceCluster.StartAsync();
        var fleet = service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey);
        await fleet.SetSpendCapAsync(1.5);
        var a = await RegisterAsync(service.Grains, "fleet-a", Pods("a", 100, cpu: "2", memory: "4Gi"));
        var b = await RegisterAsync(service.Grains, "fleet-b", Pods("b", 100, cpu: "2", memory: "4Gi"));

        await Task.WhenAll(a.ProvisionAsync(), b.ProvisionAsync());

        var cost = await fleet.GetCostAsync();
        Assert.True(cost.CommittedPerHour <= 1.5 + 1e-9, $"fleet committed {cost.CommittedPerHour}/h over its 1.5/h cap");
        var reasons = (await a.GetPendingPodsAsync()).Concat(await b.GetPendingPodsAsync()).Where(p => p.NodeClaim is null).Select(p => p.Reason).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.Contains("fleet spend cap", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Removing_a_node_terminates_its_claim_and_its_instance()
    {
        await using var service = await ServiceCluster.StartAsync();
        var cluster = await RegisterAsync(service.Grains, "eta", [Pod("solo-0")]);
        await cluster.ProvisionAsync();
        var claim = Assert.Single(await cluster.GetNodeClaimsAsync());
        var node = NodeFor(claim);
        await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [Upsert(1, node)]));

        await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [new ObjectDelta(2, DeltaType.Delete, ObjectKind.Node, null, node.Metadata.Name)]));

        Assert.Equal(NodeClaimPhase.Terminated, Assert.Single(await cluster.GetNodeClaimsAsync()).Phase);
        var instance = await service.Cloud.GetAsync("us-east-1", claim.InstanceId!);
        Assert.NotEqual(CloudProviders.CloudInstanceState.Running, instance!.State);
    }

    [Fact]
    public async Task Empty_nodes_are_consolidated_after_consolidateAfter()
    {
        await using var service = await ServiceCluster.StartAsync();
        var pod = Pod("temp-0");
        var cluster = await RegisterAsync(service.Grains, "theta", [pod], nodePool: NodePool(consolidateAfter: "30s"));
        await cluster.ProvisionAsync();
        var claim = Assert.Single(await cluster.GetNodeClaimsAsync());
        pod.Spec.NodeName = "node-" + claim.InstanceId;
        await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [Upsert(1, NodeFor(claim)), Upsert(2, pod)]));
        await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [new ObjectDelta(3, DeltaType.Delete, ObjectKind.Pod, "default", "temp-0")]));

        await cluster.ReconcileAsync();
        Assert.Equal(NodeClaimPhase.Initialized, Assert.Single(await cluster.GetNodeClaimsAsync()).Phase);
        service.Clock.Advance(TimeSpan.FromSeconds(31));
        await cluster.ReconcileAsync();
        // Chosen, then validated 15 s later before it starts.
        Assert.Equal(NodeClaimPhase.Initialized, Assert.Single(await cluster.GetNodeClaimsAsync()).Phase);
        service.Clock.Advance(TimeSpan.FromSeconds(15));
        await cluster.ReconcileAsync();

        var ended = Assert.Single(await cluster.GetNodeClaimsAsync());
        Assert.Equal(NodeClaimPhase.Terminated, ended.Phase);
        Assert.Contains("disruption: empty", ended.Reason, StringComparison.Ordinal);

        // Listed for ten minutes so users see why it ended; then nothing of it stays in storage.
        service.Clock.Advance(TimeSpan.FromMinutes(11));
        await cluster.ReconcileAsync();
        Assert.Empty(await cluster.GetNodeClaimsAsync());
        Assert.Null(await service.Grains.GetGrain<INodeClaimGrain>($"theta/{ended.Name}").GetAsync());
        Assert.Null(await service.Grains.GetGrain<IInstanceGrain>($"simulated/us-east-1/{ended.InstanceId}").GetAsync());
    }
}
