using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Service.Tests.Termination;
using Karpenter.Orleans.Service.Tests.TestSupport;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Interruption;

/// <summary>
/// The EC2 notices besides the spot warning, delivered the way the interruption poller delivers them (to the
/// instance's grain), each doing what Karpenter's interruption controller does with it: an AWS Health scheduled
/// change and an instance stopping cordon and drain the node (budgets do not hold them; the pods' replacement is
/// launched at once; a do-not-disrupt pod is waited on during the drain, as Karpenter's drain does, until the
/// instance's deadline forces it), an instance already terminated ends its claim at once.
/// </summary>
public sealed class InterruptionKindsTests
{
    private const string Region = "us-east-1";

    /// <summary>On-demand only, and a budget that allows no voluntary disruption: only a notice can take the node.</summary>
    private static readonly string Closed = NodePool(capacityTypes: "\"on-demand\"")
        .Replace("\"disruption\": {", "\"disruption\": {\"budgets\": [{\"nodes\": \"0\"}], ", StringComparison.Ordinal);

    private static V1Pod Held(string name)
    {
        var pod = Pod(name);
        pod.Metadata.Annotations = new Dictionary<string, string> { ["karpenter.sh/do-not-disrupt"] = "true" };
        return pod;
    }

    private static Task NotifyAsync(ServiceCluster service, NodeClaimInfo claim, InterruptionKind kind, DateTimeOffset? deadline = null) =>
        service.Grains.GetGrain<IInstanceGrain>($"simulated/{Region}/{claim.InstanceId}")
            .NotifyInterruptionAsync(new InterruptionNotice(claim.InstanceId!, kind, service.Clock.GetUtcNow(), deadline));

    [Fact]
    public async Task An_instance_stopping_drains_its_node_at_once_onto_a_replacement_whatever_the_budget_and_do_not_disrupt_say()
    {
        await using var service = await ServiceCluster.StartAsync();
        using var disrupted = new MetricRecorder("kind-stopping");
        var pods = new[] { Held("db-0"), Pod("db-1") };
        var (agent, claim, node) = await TestAgent.NodeWithPodsAsync(service.Grains, "kind-stopping", pods, Closed);
        var stoppedAt = service.Clock.GetUtcNow();

        await NotifyAsync(service, claim, InterruptionKind.Stopping);

        // The instance is going down now: the deadline is the notice itself, and the pods' new node is launched at once.
        await Eventually.TrueAsync(async () => (await agent.Cluster.GetDisruptionsAsync()).Count == 1, "the interruption is queued");
        var disruption = Assert.Single(await agent.Cluster.GetDisruptionsAsync());
        Assert.Equal(("Interrupted", stoppedAt), (disruption.Reason, disruption.Deadline));
        Assert.Equal([claim.Name], disruption.Candidates);
        var replacement = Assert.Single(await agent.Cluster.GetNodeClaimsAsync(), c => c.Name != claim.Name);
        Assert.Equal([replacement.Name], disruption.Replacements);
        Assert.Equal(InterruptionKind.Stopping, (await agent.Cluster.GetNodeClaimsAsync()).Single(c => c.Name == claim.Name).Interruption?.Kind);
        var taint = Assert.Single(await agent.CommandsAsync());
        Assert.Equal((ClusterCommandKind.TaintNode, node.Metadata.Name), (taint.Kind, taint.Node));
        await agent.AckAsync([taint], CommandOutcome.Done);

        // Past the deadline there is nothing to wait for: what runs there is deleted, the do-not-disrupt pod too.
        await agent.Cluster.ReconcileAsync();
        var forced = await agent.CommandsAsync();
        Assert.Equal([(ClusterCommandKind.DeletePod, "db-0"), (ClusterCommandKind.DeletePod, "db-1")], forced.Select(c => (c.Kind, c.Pod)).Order());
        await agent.AckAsync(forced, CommandOutcome.Done);
        await agent.DeletePodAsync(pods[0]);
        await agent.DeletePodAsync(pods[1]);

        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
        Assert.Equal(new Dictionary<string, long> { ["capacity_type=on-demand,nodepool=default,reason=interrupted"] = 1 },
            disrupted.Counter(MetricNames.NodeClaimsDisrupted));
        Assert.Equal(new Dictionary<string, long> { ["message_type=state_change"] = 1 }, disrupted.Counter(MetricNames.InterruptionMessages));
    }

    [Fact]
    public async Task A_scheduled_change_replaces_the_node_at_once_through_a_zero_budget_and_drains_before_its_start_forcing_do_not_disrupt_last()
    {
        await using var service = await ServiceCluster.StartAsync();
        using var metrics = new MetricRecorder("kind-change");
        var pods = new[] { Held("db-0"), Pod("web-0") };
        var (agent, claim, node) = await TestAgent.NodeWithPodsAsync(service.Grains, "kind-change", pods, Closed);
        var changeAt = service.Clock.GetUtcNow() + TimeSpan.FromMinutes(10);

        // As EC2 announces a retirement: through the cloud's event stream and the poller.
        Assert.True(service.Cloud.ScheduleChange(claim.InstanceId!, TimeSpan.FromMinutes(10)));
        Assert.Equal(1, await service.Poller.PollOnceAsync(CancellationToken.None));

        await Eventually.TrueAsync(async () => (await agent.Cluster.GetDisruptionsAsync()).Count == 1, "the scheduled change is queued");
        var disruption = Assert.Single(await agent.Cluster.GetDisruptionsAsync());
        Assert.Equal(("Interrupted", "waiting", changeAt), (disruption.Reason, disruption.State, disruption.Deadline));
        var replacement = Assert.Single(await agent.Cluster.GetNodeClaimsAsync(), c => c.Name != claim.Name);
        Assert.Equal(InterruptionKind.ScheduledChange, (await agent.Cluster.GetNodeClaimsAsync()).Single(c => c.Name == claim.Name).Interruption?.Kind);
        await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);

        // The replacement joins: the drain starts then, not at the deadline. The do-not-disrupt pod is waited on...
        await agent.Cluster.ReconcileAsync();
        Assert.Empty(await agent.CommandsAsync());
        replacement = (await agent.Cluster.GetNodeClaimsAsync()).Single(c => c.Name == replacement.Name);
        await agent.SendAsync(NodeFor(replacement));
        await agent.Cluster.ReconcileAsync();
        var eviction = Assert.Single(await agent.CommandsAsync());
        Assert.Equal((ClusterCommandKind.EvictPod, "web-0", node.Metadata.Name), (eviction.Kind, eviction.Pod, eviction.Node));
        await agent.AckAsync([eviction], CommandOutcome.Done);
        await agent.DeletePodAsync(pods[1]);

        // ...until 30 s before the change, when it is deleted: the instance goes then whatever the pod says.
        service.Clock.Advance(changeAt - service.Clock.GetUtcNow() - TimeSpan.FromSeconds(31));
        await agent.Cluster.ReconcileAsync();
        Assert.Empty(await agent.CommandsAsync());
        service.Clock.Advance(TimeSpan.FromSeconds(1));
        await agent.Cluster.ReconcileAsync();
        var forced = Assert.Single(await agent.CommandsAsync());
        Assert.Equal((ClusterCommandKind.DeletePod, "db-0"), (forced.Kind, forced.Pod));
        await agent.AckAsync([forced], CommandOutcome.Done);
        await agent.DeletePodAsync(pods[0]);

        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
        Assert.True(service.Clock.GetUtcNow() < changeAt);
        Assert.NotEqual(CloudInstanceState.Running, (await service.Cloud.GetAsync(Region, claim.InstanceId!))!.State);
        Assert.Equal(new Dictionary<string, long> { ["message_type=scheduled_change"] = 1 }, metrics.Counter(MetricNames.InterruptionMessages));
    }

    [Fact]
    public async Task An_instance_already_terminated_ends_its_claim_at_once_without_a_drain()
    {
        await using var service = await ServiceCluster.StartAsync();
        using var metrics = new MetricRecorder("kind-gone");
        var (agent, claim, _) = await TestAgent.NodeWithPodsAsync(service.Grains, "kind-gone", [Held("db-0")], Closed);

        await NotifyAsync(service, claim, InterruptionKind.Terminated);

        await Eventually.TrueAsync(async () => await agent.PhaseAsync(claim.Name) == NodeClaimPhase.Terminated, "the claim ends");
        Assert.Empty(await agent.Cluster.GetDisruptionsAsync());
        Assert.DoesNotContain(await agent.CommandsAsync(), c => c.Kind is ClusterCommandKind.EvictPod or ClusterCommandKind.DeletePod);
        Assert.StartsWith("interrupted", (await agent.Cluster.GetNodeClaimsAsync()).Single(c => c.Name == claim.Name).Reason, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, long> { ["capacity_type=on-demand,nodepool=default,reason=interrupted"] = 1 },
            metrics.Counter(MetricNames.NodeClaimsDisrupted));
    }
}
