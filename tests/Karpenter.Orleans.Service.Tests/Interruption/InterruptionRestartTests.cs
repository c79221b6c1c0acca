using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Grains;
using Karpenter.Orleans.Grains.Interruption;
using Karpenter.Orleans.Service.Tests.Simulation;
using Karpenter.Orleans.Service.Tests.Storage;
using Karpenter.Orleans.Service.Tests.Termination;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Karpenter.Orleans.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Interruption;

/// <summary>A silo restart (SQLite) between a spot interruption warning and the drain: the notice, the queued command and the replacement survive it.</summary>
public sealed class InterruptionRestartTests
{
    [Fact]
    public async Task A_silo_restart_between_the_notice_and_the_drain_still_drains_onto_the_replacement_before_the_deadline()
    {
        var folder = Path.Combine(Path.GetTempPath(), "karpo-interrupt-" + Guid.NewGuid().ToString("N"));
        var storage = new KarpoStorageOptions { Provider = StorageProvider.Sqlite, SqlitePath = Path.Combine(folder, "karpo.db") };
        var world = new DurableServiceCluster.World();
        var serviceId = StorageTestClusters.UniqueId("interrupt-svc");
        using var terminated = new TerminatedCounter("interrupt");
        var pods = new List<V1Pod> { Pod("web-0"), Pod("web-1") };
        var deadline = world.Clock.GetUtcNow() + TimeSpan.FromMinutes(2);
        NodeClaimInfo claim;
        NodeClaimInfo replacement;
        V1Node node;
        try
        {
            await using (var first = await DurableServiceCluster.StartAsync(world, storage, serviceId, StorageTestClusters.UniqueId("interrupt")))
            {
                TestAgent agent;
                (agent, claim, node) = await TestAgent.NodeWithPodsAsync(first.Grains, "interrupt", pods, NodePool(capacityTypes: "\"spot\""));
                Assert.True(world.Cloud.Interrupt(claim.InstanceId!));
                using var lifetime = new FakeLifetime();
                var poller = new InterruptionPoller(first.Grains, new CloudProviderRegistry([world.Cloud]), Options.Create(new ProvisioningOptions()),
                    lifetime, NullLogger<InterruptionPoller>.Instance);
                Assert.Equal(1, await poller.PollOnceAsync(CancellationToken.None));
                // NodeClaims are read between turns; the taint the drain starts with is queued once the launch's turn ends.
                await Eventually.TrueAsync(async () => (await agent.Cluster.GetNodeClaimsAsync()).Count == 2 && (await agent.CommandsAsync()).Count > 0,
                    "the replacement is launched and the interrupted node is tainted");
                replacement = (await agent.Cluster.GetNodeClaimsAsync()).Single(c => c.Name != claim.Name);
                await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);
                Assert.Equal(NodeClaimPhase.Disrupting, await agent.PhaseAsync(claim.Name));
            }

            world.Clock.Advance(TimeSpan.FromSeconds(20));
            await using var second = await DurableServiceCluster.StartAsync(world, storage, serviceId, StorageTestClusters.UniqueId("interrupt"));
            var cluster = second.Grains.GetGrain<IClusterGrain>("interrupt");
            var disruption = Assert.Single(await cluster.GetDisruptionsAsync());
            Assert.Equal(("Interrupted", "waiting", deadline), (disruption.Reason, disruption.State, disruption.Deadline));
            Assert.Equal(InterruptionKind.SpotInterruption, (await cluster.GetNodeClaimsAsync()).Single(c => c.Name == claim.Name).Interruption?.Kind);

            // The agent reconnects; meanwhile the replacement's node joined.
            var replacementNode = NodeFor(replacement);
            Assert.Empty((await cluster.ResyncAsync(new ClusterSnapshot("session-2", 0,
                [new ClusterObject(ObjectKind.NodePool, NodePool(capacityTypes: "\"spot\"")), Object(node), Object(replacementNode), Object(pods[0]), Object(pods[1])]))).Errors);
            await cluster.ReconcileAsync();

            var agentAfter = new TestAgent(cluster, "session-2");
            var evictions = await agentAfter.CommandsAsync();
            Assert.Equal([(ClusterCommandKind.EvictPod, "web-0"), (ClusterCommandKind.EvictPod, "web-1")], evictions.Select(c => (c.Kind, c.Pod)).Order());
            await agentAfter.AckAsync(evictions, CommandOutcome.Done);
            foreach (var pod in pods)
            {
                await agentAfter.DeletePodAsync(pod);
                TestAgent.Bind(pod, replacementNode);
                await agentAfter.SendAsync(pod);
            }

            await cluster.ReconcileAsync();
            var claims = await cluster.GetNodeClaimsAsync();
            Assert.Equal(NodeClaimPhase.Terminated, claims.Single(c => c.Name == claim.Name).Phase);
            Assert.Equal(NodeClaimPhase.Initialized, claims.Single(c => c.Name == replacement.Name).Phase);
            Assert.True(world.Clock.GetUtcNow() < deadline);
            Assert.Equal(1, terminated.Count);
            Assert.NotEqual(CloudInstanceState.Running, (await world.Cloud.GetAsync("us-east-1", claim.InstanceId!))!.State);
            Assert.Equal([replacement.InstanceId], (await world.Cloud.ListAsync("us-east-1", "interrupt")).Where(i => i.State == CloudInstanceState.Running).Select(i => i.Id));
            Assert.Equal(2, world.Cloud.InstancesCreated);
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
