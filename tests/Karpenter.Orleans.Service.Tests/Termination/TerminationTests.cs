using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Service.Tests.Storage;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Karpenter.Orleans.Storage;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Termination;

/// <summary>
/// Deleting a NodeClaim the way Karpenter's termination controller does, through the agent's command channel:
/// taint, drain (PodDisruptionBudgets and do-not-disrupt respected until terminationGracePeriod), then the
/// instance and the Node go.
/// </summary>
public sealed class TerminationTests
{
    private static string NodePoolWithGrace(string grace) =>
        NodePool().Replace("\"requirements\": [", $"\"terminationGracePeriod\": \"{grace}\", \"requirements\": [", StringComparison.Ordinal);

    [Fact]
    public async Task A_claim_deleted_with_pods_is_tainted_drained_then_terminated_and_its_instance_goes_only_after_the_pods()
    {
        await using var service = await ServiceCluster.StartAsync();
        using var terminated = new TerminatedCounter("term-flow");
        var pods = new[] { Pod("web-0"), Pod("web-1") };
        var (agent, claim, node) = await TestAgent.NodeWithPodsAsync(service.Grains, "term-flow", pods);

        var deleting = await agent.Cluster.DeleteNodeClaimAsync(claim.Name, "test");

        Assert.Equal(NodeClaimPhase.Disrupting, deleting!.Phase);
        var taint = Assert.Single(await agent.CommandsAsync());
        Assert.Equal((ClusterCommandKind.TaintNode, node.Metadata.Name, "karpenter.sh/disrupted:NoSchedule"), (taint.Kind, taint.Node, taint.Taint));

        await agent.AckAsync([taint], CommandOutcome.Done);
        Assert.Equal(NodeClaimPhase.Draining, await agent.PhaseAsync(claim.Name));
        var evictions = await agent.CommandsAsync();
        Assert.Equal(["web-0", "web-1"], evictions.Select(c => c.Pod).Order());
        Assert.All(evictions, c => Assert.Equal(ClusterCommandKind.EvictPod, c.Kind));

        // Evicted, but the agent has not reported them gone yet: the instance stays.
        await agent.AckAsync(evictions, CommandOutcome.Done);
        await agent.Cluster.ReconcileAsync();
        Assert.Equal(NodeClaimPhase.Draining, await agent.PhaseAsync(claim.Name));
        Assert.Equal(CloudInstanceState.Running, (await service.Cloud.GetAsync("us-east-1", claim.InstanceId!))!.State);

        await agent.DeletePodAsync(pods[0]);
        Assert.Equal(NodeClaimPhase.Draining, await agent.PhaseAsync(claim.Name));
        await agent.DeletePodAsync(pods[1]);

        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
        Assert.NotEqual(CloudInstanceState.Running, (await service.Cloud.GetAsync("us-east-1", claim.InstanceId!))!.State);
        var deleteNode = Assert.Single(await agent.CommandsAsync());
        Assert.Equal((ClusterCommandKind.DeleteNode, node.Metadata.Name), (deleteNode.Kind, deleteNode.Node));
        await agent.AckAsync([deleteNode], CommandOutcome.Done);
        await agent.DeleteNodeAsync(node);
        await agent.Cluster.ReconcileAsync();
        Assert.Empty(await agent.CommandsAsync());
        Assert.Equal(1, terminated.Count);
    }

    [Fact]
    public async Task A_PDB_refusal_is_retried_and_never_forced_before_terminationGracePeriod_but_is_after_it()
    {
        await using var service = await ServiceCluster.StartAsync();
        var pod = Pod("db-0");
        var (agent, claim, _) = await TestAgent.NodeWithPodsAsync(service.Grains, "term-pdb", [pod], NodePoolWithGrace("10m"));
        await agent.Cluster.DeleteNodeClaimAsync(claim.Name, "test");
        await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);

        var attempts = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var eviction = Assert.Single(await agent.CommandsAsync());
            Assert.Equal(ClusterCommandKind.EvictPod, eviction.Kind);
            attempts.Add(eviction.Id);
            await agent.AckAsync([eviction], CommandOutcome.Refused, "Cannot evict pod as it would violate the pod's disruption budget default/db");

            // The retry waits for its backoff: at once there is nothing to send.
            await agent.Cluster.ReconcileAsync();
            Assert.Empty(await agent.CommandsAsync());
            service.Clock.Advance(TimeSpan.FromSeconds(25));
            await agent.Cluster.ReconcileAsync();
        }

        // Twenty refusals over 8 min 20 s: each retry was a new eviction, none a deletion, and the instance stays.
        Assert.Equal(attempts.Count, attempts.Distinct().Count());
        Assert.Equal(NodeClaimPhase.Draining, await agent.PhaseAsync(claim.Name));
        Assert.Equal(CloudInstanceState.Running, (await service.Cloud.GetAsync("us-east-1", claim.InstanceId!))!.State);

        service.Clock.Advance(TimeSpan.FromMinutes(2));
        await agent.Cluster.ReconcileAsync();

        var forced = Assert.Single(await agent.CommandsAsync());
        Assert.Equal((ClusterCommandKind.DeletePod, "default", "db-0"), (forced.Kind, forced.Namespace, forced.Pod));
        await agent.AckAsync([forced], CommandOutcome.Done);
        await agent.DeletePodAsync(pod);
        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
    }

    [Fact]
    public async Task A_do_not_disrupt_pod_is_waited_on_and_the_node_goes_when_it_ends()
    {
        await using var service = await ServiceCluster.StartAsync();
        var pod = Pod("batch-0");
        pod.Metadata.Annotations = new Dictionary<string, string> { ["karpenter.sh/do-not-disrupt"] = "true" };
        var other = Pod("web-0");
        var (agent, claim, _) = await TestAgent.NodeWithPodsAsync(service.Grains, "term-dnd", [pod, other]);
        await agent.Cluster.DeleteNodeClaimAsync(claim.Name, "test");
        await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);

        var eviction = Assert.Single(await agent.CommandsAsync());
        Assert.Equal("web-0", eviction.Pod);
        await agent.AckAsync([eviction], CommandOutcome.Done);
        await agent.DeletePodAsync(other);

        // No terminationGracePeriod: an hour later the do-not-disrupt pod still holds the node.
        service.Clock.Advance(TimeSpan.FromHours(1));
        await agent.Cluster.ReconcileAsync();
        Assert.Empty(await agent.CommandsAsync());
        Assert.Equal(NodeClaimPhase.Draining, await agent.PhaseAsync(claim.Name));
        Assert.Equal(CloudInstanceState.Running, (await service.Cloud.GetAsync("us-east-1", claim.InstanceId!))!.State);

        pod.Status.Phase = "Succeeded";
        await agent.SendAsync(pod);
        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
    }

    [Fact]
    public async Task Commands_are_delivered_again_until_acknowledged_and_duplicate_or_unknown_acks_change_nothing()
    {
        await using var service = await ServiceCluster.StartAsync();
        var (agent, claim, _) = await TestAgent.NodeWithPodsAsync(service.Grains, "term-acks", [Pod("web-0")]);
        await agent.Cluster.DeleteNodeClaimAsync(claim.Name, "test");

        var first = await agent.CommandsAsync();
        var again = await agent.CommandsAsync();
        Assert.Equal(first, again);

        var ack = await agent.AckAsync(first, CommandOutcome.Done);
        var duplicate = await agent.AckAsync(first, CommandOutcome.Failed, "late duplicate");
        var unknown = await agent.Cluster.AcknowledgeCommandsAsync([new CommandAck("no-such/command", CommandOutcome.Done)]);

        Assert.Equal((1, 0), (ack.Applied, ack.Ignored));
        Assert.Equal((0, 1), (duplicate.Applied, duplicate.Ignored));
        Assert.Equal((0, 1), (unknown.Applied, unknown.Ignored));
        Assert.Equal(NodeClaimPhase.Draining, await agent.PhaseAsync(claim.Name));
        var eviction = Assert.Single(await agent.CommandsAsync());
        Assert.Equal(ClusterCommandKind.EvictPod, eviction.Kind);
        Assert.DoesNotContain(first[0].Id, (await agent.CommandsAsync()).Select(c => c.Id));
    }

    [Fact]
    public async Task Emptiness_consolidation_goes_through_termination_and_an_empty_node_drains_at_once()
    {
        await using var service = await ServiceCluster.StartAsync();
        var pod = Pod("temp-0");
        var (agent, claim, node) = await TestAgent.NodeWithPodsAsync(service.Grains, "term-empty", [pod]);
        await agent.DeletePodAsync(pod);
        await agent.Cluster.ReconcileAsync();
        service.Clock.Advance(TimeSpan.FromSeconds(31));
        await agent.Cluster.ReconcileAsync();
        service.Clock.Advance(TimeSpan.FromSeconds(15));

        await agent.Cluster.ReconcileAsync();

        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
        var commands = await agent.CommandsAsync();
        Assert.Equal([ClusterCommandKind.TaintNode, ClusterCommandKind.DeleteNode], commands.Select(c => c.Kind));
        Assert.All(commands, c => Assert.Equal(node.Metadata.Name, c.Node));
    }

    [Fact]
    public async Task A_node_that_leaves_mid_drain_ends_its_claim_without_waiting_for_the_pods()
    {
        await using var service = await ServiceCluster.StartAsync();
        var (agent, claim, node) = await TestAgent.NodeWithPodsAsync(service.Grains, "term-gone", [Pod("web-0")]);
        await agent.Cluster.DeleteNodeClaimAsync(claim.Name, "test");
        await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);
        Assert.Single(await agent.CommandsAsync());

        await agent.DeleteNodeAsync(node);

        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
        Assert.NotEqual(CloudInstanceState.Running, (await service.Cloud.GetAsync("us-east-1", claim.InstanceId!))!.State);
        Assert.Empty(await agent.CommandsAsync());
    }

    [Fact]
    public async Task A_silo_restart_mid_drain_resumes_the_drain_and_terminates_the_instance_exactly_once()
    {
        var folder = Path.Combine(Path.GetTempPath(), "karpo-drain-" + Guid.NewGuid().ToString("N"));
        var storage = new KarpoStorageOptions { Provider = StorageProvider.Sqlite, SqlitePath = Path.Combine(folder, "karpo.db") };
        var world = new DurableServiceCluster.World();
        var serviceId = StorageTestClusters.UniqueId("drain-svc");
        using var terminated = new TerminatedCounter("drain");
        var pods = new List<V1Pod> { Pod("web-0"), Pod("web-1") };
        NodeClaimInfo claim;
        V1Node node;
        string pendingEviction;
        try
        {
            await using (var first = await DurableServiceCluster.StartAsync(world, storage, serviceId, StorageTestClusters.UniqueId("drain")))
            {
                TestAgent agent;
                (agent, claim, node) = await TestAgent.NodeWithPodsAsync(first.Grains, "drain", pods);
                await agent.Cluster.DeleteNodeClaimAsync(claim.Name, "test");
                await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);
                var evictions = await agent.CommandsAsync();
                Assert.Equal(2, evictions.Count);

                // One pod is evicted and gone; the other eviction is out when the silo stops.
                var done = evictions.Single(e => e.Pod == "web-0");
                await agent.AckAsync([done], CommandOutcome.Done);
                await agent.DeletePodAsync(pods[0]);
                pendingEviction = evictions.Single(e => e.Pod == "web-1").Id;
                Assert.Equal(NodeClaimPhase.Draining, await agent.PhaseAsync(claim.Name));
            }

            await using var second = await DurableServiceCluster.StartAsync(world, storage, serviceId, StorageTestClusters.UniqueId("drain"));
            var cluster = second.Grains.GetGrain<IClusterGrain>("drain");
            Assert.Equal(NodeClaimPhase.Draining, (await cluster.GetNodeClaimsAsync()).Single().Phase);

            // Before the agent's snapshot the service knows no pods: it must not conclude the node is empty.
            await cluster.ReconcileAsync();
            Assert.Equal(NodeClaimPhase.Draining, (await cluster.GetNodeClaimsAsync()).Single().Phase);
            Assert.Equal(CloudInstanceState.Running, (await world.Cloud.GetAsync("us-east-1", claim.InstanceId!))!.State);

            Assert.Empty((await cluster.ResyncAsync(new ClusterSnapshot("session-2", 0,
                [new ClusterObject(ObjectKind.NodePool, NodePool()), Object(node), Object(pods[1])]))).Errors);
            var redelivered = Assert.Single(await cluster.GetCommandsAsync());
            Assert.Equal(pendingEviction, redelivered.Id);

            var agentAfter = new TestAgent(cluster, "session-2");
            await agentAfter.AckAsync([redelivered], CommandOutcome.Done);
            await agentAfter.DeletePodAsync(pods[1]);
            await cluster.ReconcileAsync();

            Assert.Equal(NodeClaimPhase.Terminated, (await cluster.GetNodeClaimsAsync()).Single().Phase);
            Assert.Equal(1, terminated.Count);
            Assert.DoesNotContain(await world.Cloud.ListAsync("us-east-1", "drain"), i => i.State is CloudInstanceState.Running or CloudInstanceState.Pending);
            Assert.Equal(1, world.Cloud.InstancesCreated);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
