using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Service.Tests.TestSupport;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Termination;

/// <summary>
/// The disruption orchestration queue on real silos: candidates are tainted and kept until every replacement
/// is Initialized, then drained; a timeout or a replacement that cannot launch untaints them and gives up.
/// </summary>
public sealed class DisruptionQueueTests
{
    [Fact]
    public async Task A_replace_launches_the_replacement_and_drains_the_candidate_only_once_it_is_initialized()
    {
        await using var service = await ServiceCluster.StartAsync();
        using var disrupted = new TerminatedCounter("queue-replace", MetricNames.NodeClaimsDisrupted);
        var pods = new[] { Pod("web-0"), Pod("web-1") };
        var (agent, claim, node) = await TestAgent.NodeWithPodsAsync(service.Grains, "queue-replace", pods);

        var status = await agent.Cluster.DisruptAsync(new DisruptionRequest([node.Metadata.Name], "Underutilized", Replace: true));

        Assert.Equal("waiting", status.State);
        Assert.Equal([claim.Name], status.Candidates);
        var replacementName = Assert.Single(status.Replacements);
        var claims = await agent.Cluster.GetNodeClaimsAsync();
        Assert.Equal(NodeClaimPhase.Disrupting, claims.Single(c => c.Name == claim.Name).Phase);
        var replacement = claims.Single(c => c.Name == replacementName);
        Assert.Equal(NodeClaimPhase.Launched, replacement.Phase);

        // Tainted, so nothing new lands there; but no pod is evicted while the replacement is not ready.
        var taint = Assert.Single(await agent.CommandsAsync());
        Assert.Equal((ClusterCommandKind.TaintNode, node.Metadata.Name), (taint.Kind, taint.Node));
        await agent.AckAsync([taint], CommandOutcome.Done);
        await agent.SendAsync(NodeFor(replacement, ready: false));
        await agent.Cluster.ReconcileAsync();
        Assert.Empty(await agent.CommandsAsync());
        Assert.Equal(NodeClaimPhase.Disrupting, await agent.PhaseAsync(claim.Name));
        Assert.Equal(0, disrupted.Count);

        await agent.SendAsync(NodeFor(replacement));

        Assert.Equal(NodeClaimPhase.Initialized, await agent.PhaseAsync(replacementName));
        Assert.Equal(NodeClaimPhase.Draining, await agent.PhaseAsync(claim.Name));
        var evictions = await agent.CommandsAsync();
        Assert.Equal(["web-0", "web-1"], evictions.Select(e => e.Pod).Order());
        Assert.Equal("done", Assert.Single(await agent.Cluster.GetDisruptionsAsync()).State);
        Assert.Equal(1, disrupted.Count);

        await agent.AckAsync(evictions, CommandOutcome.Done);
        await agent.DeletePodAsync(pods[0]);
        await agent.DeletePodAsync(pods[1]);
        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
        Assert.Equal(NodeClaimPhase.Initialized, await agent.PhaseAsync(replacementName));
    }

    [Fact]
    public async Task A_replacement_that_never_initializes_times_out_and_the_candidate_is_untainted_and_kept()
    {
        await using var service = await ServiceCluster.StartAsync();
        var (agent, claim, node) = await TestAgent.NodeWithPodsAsync(service.Grains, "queue-timeout", [Pod("web-0")]);
        var started = await agent.Cluster.DisruptAsync(new DisruptionRequest([node.Metadata.Name], "Drifted", Replace: true));
        await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);
        Assert.Equal(TimeSpan.FromMinutes(10), started.Deadline - started.StartedAt);

        service.Clock.Advance(TimeSpan.FromMinutes(9));
        await agent.Cluster.ReconcileAsync();
        Assert.Equal("waiting", Assert.Single(await agent.Cluster.GetDisruptionsAsync()).State);
        service.Clock.Advance(TimeSpan.FromMinutes(1));
        await agent.Cluster.ReconcileAsync();

        var failed = Assert.Single(await agent.Cluster.GetDisruptionsAsync());
        Assert.Equal("failed", failed.State);
        Assert.Contains("timed out", failed.Message, StringComparison.Ordinal);
        Assert.Equal(NodeClaimPhase.Initialized, await agent.PhaseAsync(claim.Name));
        var untaint = Assert.Single(await agent.CommandsAsync());
        Assert.Equal((ClusterCommandKind.UntaintNode, node.Metadata.Name, "karpenter.sh/disrupted:NoSchedule"), (untaint.Kind, untaint.Node, untaint.Taint));
        Assert.Equal(CloudInstanceState.Running, (await service.Cloud.GetAsync("us-east-1", claim.InstanceId!))!.State);
    }

    [Fact]
    public async Task A_replacement_that_cannot_launch_gives_the_disruption_up_at_once()
    {
        await using var service = await ServiceCluster.StartAsync();
        var (agent, claim, node) = await TestAgent.NodeWithPodsAsync(service.Grains, "queue-nolaunch", [Pod("web-0")]);
        // A spend cap at what the cluster costs now leaves no room for a replacement.
        await agent.Cluster.SetSpendCapAsync(claim.PricePerHour);

        var status = await agent.Cluster.DisruptAsync(new DisruptionRequest([node.Metadata.Name], "Underutilized", Replace: true));

        Assert.Equal("failed", status.State);
        Assert.Empty(status.Replacements);
        Assert.Equal(NodeClaimPhase.Initialized, await agent.PhaseAsync(claim.Name));
        Assert.Equal([ClusterCommandKind.UntaintNode], (await agent.CommandsAsync()).Select(c => c.Kind));
        Assert.Single(await agent.Cluster.GetNodeClaimsAsync());
    }

    [Fact]
    public async Task A_node_already_being_disrupted_is_refused_naming_it()
    {
        await using var service = await ServiceCluster.StartAsync();
        var (agent, claim, node) = await TestAgent.NodeWithPodsAsync(service.Grains, "queue-twice", [Pod("web-0")]);
        await agent.Cluster.DeleteNodeClaimAsync(claim.Name, "test");

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => agent.Cluster.DisruptAsync(new DisruptionRequest([node.Metadata.Name], "Empty", Replace: false)));
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => agent.Cluster.DisruptAsync(new DisruptionRequest(["no-such-node"], "Empty", Replace: false)));
        var reason = await Assert.ThrowsAsync<ArgumentException>(() => agent.Cluster.DisruptAsync(new DisruptionRequest([node.Metadata.Name], "Bored", Replace: false)));

        Assert.Contains(node.Metadata.Name, refused.Message, StringComparison.Ordinal);
        Assert.Contains("no-such-node", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("Underutilized", reason.Message, StringComparison.Ordinal);
        Assert.Empty(await agent.Cluster.GetDisruptionsAsync());
    }
}
