using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Service.Tests.Termination;
using Karpenter.Orleans.Service.Tests.TestSupport;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Interruption;

/// <summary>
/// Interruption handling through the disruption planner and the orchestration queue, with the test playing the
/// agent: a notice with a deadline launches the replacement at once and drains in time (the drain starts when the
/// replacement is Initialized or a minute before the deadline, and forces what is left 30 s before it); a
/// rebalance recommendation is a voluntary disruption its NodePool's budget may refuse.
/// </summary>
public sealed class InterruptionTests
{
    private const string Region = "us-east-1";

    private static readonly string SpotOnly = NodePool(capacityTypes: "\"spot\"");

    private static string WithBudget(string nodePool, string nodes) =>
        nodePool.Replace("\"disruption\": {", $"\"disruption\": {{\"budgets\": [{{\"nodes\": \"{nodes}\"}}], ", StringComparison.Ordinal);

    private static V1PodDisruptionBudget Pdb(string app) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = new V1ObjectMeta { Name = app, NamespaceProperty = "default" },
        Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 0, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } } },
    };

    [Fact]
    public async Task A_replacement_that_never_initializes_does_not_hold_the_drain_past_the_deadline_and_what_is_left_is_forced_before_it()
    {
        await using var service = await ServiceCluster.StartAsync();
        using var terminated = new TerminatedCounter("int-late");
        using var disrupted = new TerminatedCounter("int-late", MetricNames.NodeClaimsDisrupted);
        var pods = new[] { Pod("db-0"), Pod("db-1") };
        var (agent, claim, node) = await TestAgent.NodeWithPodsAsync(service.Grains, "int-late", pods, SpotOnly);
        // A PodDisruptionBudget that allows no eviction: only the deadline can move these pods. (The agent sent
        // the node and each pod as one delta.)
        var sequence = 1 + pods.Length + 1;
        Assert.Empty((await agent.Cluster.ApplyDeltasAsync(new DeltaBatch("session-1",
            [new ObjectDelta(sequence, DeltaType.Upsert, ObjectKind.PodDisruptionBudget, "default", "db", k8s.KubernetesJson.Serialize(Pdb("db")))]))).Errors);
        agent = new TestAgent(agent.Cluster, sequence: sequence);
        var warnedAt = service.Clock.GetUtcNow();
        var deadline = warnedAt + TimeSpan.FromMinutes(2);

        Assert.True(service.Cloud.Interrupt(claim.InstanceId!));
        Assert.Equal(1, await service.Poller.PollOnceAsync(CancellationToken.None));

        // At once, without a reconcile: the replacement is launched and the node tainted, nothing evicted yet.
        await Eventually.TrueAsync(async () => (await agent.Cluster.GetNodeClaimsAsync()).Count == 2, "the replacement is launched");
        var replacement = (await agent.Cluster.GetNodeClaimsAsync()).Single(c => c.Name != claim.Name);
        Assert.Equal(NodeClaimPhase.Launched, replacement.Phase);
        Assert.Equal("spot", replacement.CapacityType);
        Assert.NotEqual((claim.InstanceType, claim.Zone), (replacement.InstanceType, replacement.Zone));
        var disruption = Assert.Single(await agent.Cluster.GetDisruptionsAsync());
        Assert.Equal(("Interrupted", "waiting", deadline), (disruption.Reason, disruption.State, disruption.Deadline));
        var taint = Assert.Single(await agent.CommandsAsync());
        Assert.Equal((ClusterCommandKind.TaintNode, node.Metadata.Name), (taint.Kind, taint.Node));
        await agent.AckAsync([taint], CommandOutcome.Done);

        // The replacement's node never joins. 59 s in, the drain still waits for it...
        service.Clock.Advance(TimeSpan.FromSeconds(59));
        await agent.Cluster.ReconcileAsync();
        Assert.Empty(await agent.CommandsAsync());
        Assert.Equal(NodeClaimPhase.Disrupting, await agent.PhaseAsync(claim.Name));

        // ...at the deadline minus the 60 s drain margin it starts without it; the PDB allows no disruption, so
        // no eviction is even asked (the cluster would refuse it).
        service.Clock.Advance(TimeSpan.FromSeconds(1));
        await agent.Cluster.ReconcileAsync();
        Assert.Equal(NodeClaimPhase.Draining, await agent.PhaseAsync(claim.Name));
        Assert.Empty(await agent.CommandsAsync());

        // Never forced until 30 s before the deadline; then what is left is deleted.
        service.Clock.Advance(TimeSpan.FromSeconds(29));
        await agent.Cluster.ReconcileAsync();
        Assert.Empty(await agent.CommandsAsync());
        service.Clock.Advance(TimeSpan.FromSeconds(1));
        await agent.Cluster.ReconcileAsync();
        var forced = await agent.CommandsAsync();
        Assert.Equal([(ClusterCommandKind.DeletePod, "db-0"), (ClusterCommandKind.DeletePod, "db-1")], forced.Select(c => (c.Kind, c.Pod)).Order());
        Assert.Equal(CloudInstanceState.Running, (await service.Cloud.GetAsync(Region, claim.InstanceId!))!.State);

        await agent.AckAsync(forced, CommandOutcome.Done);
        await agent.DeletePodAsync(pods[0]);
        await agent.DeletePodAsync(pods[1]);

        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
        Assert.True(service.Clock.GetUtcNow() < deadline);
        Assert.NotEqual(CloudInstanceState.Running, (await service.Cloud.GetAsync(Region, claim.InstanceId!))!.State);
        // Terminated by the service before the deadline: the cloud never reclaims it (a reclaim would be a Terminated event).
        service.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(0, await service.Poller.PollOnceAsync(CancellationToken.None));
        Assert.Equal((1, 1), (terminated.Count, disrupted.Count));
        Assert.Equal(NodeClaimPhase.Launched, await agent.PhaseAsync(replacement.Name));
    }

    [Fact]
    public async Task A_rebalance_recommendation_does_nothing_when_the_budget_is_zero_while_a_spot_interruption_is_not_budget_gated()
    {
        await using var service = await ServiceCluster.StartAsync();
        var (agent, claim, _) = await TestAgent.NodeWithPodsAsync(service.Grains, "int-budget0", [Pod("web-0")], WithBudget(SpotOnly, "0"));

        Assert.True(service.Cloud.RecommendRebalance(claim.InstanceId!));
        Assert.Equal(1, await service.Poller.PollOnceAsync(CancellationToken.None));
        await Eventually.TrueAsync(async () => (await agent.Cluster.GetNodeClaimsAsync()).Single().Interruption?.Kind == InterruptionKind.Rebalance,
            "the cluster holds the recommendation");
        await agent.Cluster.ReconcileAsync();
        service.Clock.Advance(TimeSpan.FromMinutes(5));
        await agent.Cluster.ReconcileAsync();

        var only = Assert.Single(await agent.Cluster.GetNodeClaimsAsync());
        Assert.Equal(NodeClaimPhase.Initialized, only.Phase);
        Assert.Empty(await agent.Cluster.GetDisruptionsAsync());
        Assert.Empty(await agent.CommandsAsync());
        Assert.Equal(1, service.Cloud.InstancesCreated);

        // The same budget does not hold back a spot interruption.
        Assert.True(service.Cloud.Interrupt(claim.InstanceId!));
        Assert.Equal(1, await service.Poller.PollOnceAsync(CancellationToken.None));
        await Eventually.TrueAsync(async () => (await agent.Cluster.GetNodeClaimsAsync()).Count == 2, "the replacement is launched");
        Assert.Equal(InterruptionKind.SpotInterruption, (await agent.Cluster.GetNodeClaimsAsync()).Single(c => c.Name == claim.Name).Interruption?.Kind);
        Assert.Equal("Interrupted", Assert.Single(await agent.Cluster.GetDisruptionsAsync()).Reason);
    }

    [Fact]
    public async Task A_rebalance_recommendation_replaces_the_node_ahead_of_time_when_the_budget_allows()
    {
        await using var service = await ServiceCluster.StartAsync();
        var pods = new[] { Pod("web-0") };
        var (agent, claim, node) = await TestAgent.NodeWithPodsAsync(service.Grains, "int-rebalance", pods, SpotOnly);

        Assert.True(service.Cloud.RecommendRebalance(claim.InstanceId!));
        Assert.Equal(1, await service.Poller.PollOnceAsync(CancellationToken.None));

        await Eventually.TrueAsync(async () => (await agent.Cluster.GetNodeClaimsAsync()).Count == 2, "the replacement is launched");
        var replacement = (await agent.Cluster.GetNodeClaimsAsync()).Single(c => c.Name != claim.Name);
        var disruption = Assert.Single(await agent.Cluster.GetDisruptionsAsync());
        Assert.Equal("Interrupted", disruption.Reason);
        Assert.Equal([claim.Name], disruption.Candidates);
        Assert.Equal([replacement.Name], disruption.Replacements);

        // A replace like any other: the node drains only once the replacement is Initialized.
        await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);
        await agent.Cluster.ReconcileAsync();
        Assert.Empty(await agent.CommandsAsync());
        var replacementNode = NodeFor(replacement);
        await agent.SendAsync(replacementNode);
        await agent.Cluster.ReconcileAsync();

        var eviction = Assert.Single(await agent.CommandsAsync());
        Assert.Equal((ClusterCommandKind.EvictPod, "web-0", node.Metadata.Name), (eviction.Kind, eviction.Pod, eviction.Node));
        await agent.AckAsync([eviction], CommandOutcome.Done);
        await agent.DeletePodAsync(pods[0]);
        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
        Assert.Equal(NodeClaimPhase.Initialized, await agent.PhaseAsync(replacement.Name));
    }

    [Fact]
    public async Task An_interruption_is_acted_on_while_provisioning_is_busy()
    {
        await using var service = await ServiceCluster.StartAsync();
        var (agent, claim, _) = await TestAgent.NodeWithPodsAsync(service.Grains, "int-busy", [Pod("web-0")], SpotOnly);
        // A new pod that needs its own node: a claim in flight and the cluster not settled.
        await agent.SendAsync(Pod("big-0", cpu: "3", memory: "4Gi"));
        await agent.Cluster.ProvisionAsync();
        Assert.Contains(await agent.Cluster.GetNodeClaimsAsync(), c => c.Phase == NodeClaimPhase.Launched);

        Assert.True(service.Cloud.Interrupt(claim.InstanceId!));
        Assert.Equal(1, await service.Poller.PollOnceAsync(CancellationToken.None));

        await Eventually.TrueAsync(async () => (await agent.Cluster.GetDisruptionsAsync()).Count == 1, "the interruption is queued");
        var disruption = Assert.Single(await agent.Cluster.GetDisruptionsAsync());
        Assert.Equal(("Interrupted", "waiting"), (disruption.Reason, disruption.State));
        Assert.Equal([claim.Name], disruption.Candidates);
        Assert.Single(disruption.Replacements);
        Assert.Equal(3, (await agent.Cluster.GetNodeClaimsAsync()).Count);
    }

    [Fact]
    public async Task A_notice_for_a_node_a_voluntary_replace_is_waiting_on_makes_it_an_interruption_that_drains_in_time()
    {
        await using var service = await ServiceCluster.StartAsync();
        var pods = new[] { Pod("web-0") };
        var (agent, claim, node) = await TestAgent.NodeWithPodsAsync(service.Grains, "int-convert", pods, SpotOnly);
        var voluntary = await agent.Cluster.DisruptAsync(new DisruptionRequest([node.Metadata.Name], "Underutilized", Replace: true));
        Assert.Equal(service.Clock.GetUtcNow() + TimeSpan.FromMinutes(10), voluntary.Deadline);
        await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);

        Assert.True(service.Cloud.Interrupt(claim.InstanceId!));
        Assert.Equal(1, await service.Poller.PollOnceAsync(CancellationToken.None));
        var deadline = service.Clock.GetUtcNow() + TimeSpan.FromMinutes(2);

        // The waiting command now ends with the instance, not after its 10 min timeout (and never gives up).
        await Eventually.TrueAsync(async () => Assert.Single(await agent.Cluster.GetDisruptionsAsync()).Deadline == deadline, "the command takes the deadline");
        service.Clock.Advance(TimeSpan.FromSeconds(60));
        await agent.Cluster.ReconcileAsync();
        var eviction = Assert.Single(await agent.CommandsAsync());
        Assert.Equal((ClusterCommandKind.EvictPod, "web-0"), (eviction.Kind, eviction.Pod));
        Assert.Equal("done", Assert.Single(await agent.Cluster.GetDisruptionsAsync()).State);
        Assert.Equal(2, (await agent.Cluster.GetNodeClaimsAsync()).Count);
    }

    [Fact]
    public async Task A_notice_for_a_node_already_draining_brings_its_forced_deletion_before_the_deadline()
    {
        await using var service = await ServiceCluster.StartAsync();
        var pods = new[] { Pod("db-0") };
        var (agent, claim, _) = await TestAgent.NodeWithPodsAsync(service.Grains, "int-draining", pods, SpotOnly);
        await agent.Cluster.DeleteNodeClaimAsync(claim.Name, "test");
        await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);
        await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Refused, "Cannot evict pod as it would violate the pod's disruption budget default/db");
        // No terminationGracePeriod: without a notice the PDB would hold the node for ever.
        Assert.Equal(NodeClaimPhase.Draining, await agent.PhaseAsync(claim.Name));

        Assert.True(service.Cloud.Interrupt(claim.InstanceId!));
        Assert.Equal(1, await service.Poller.PollOnceAsync(CancellationToken.None));
        await Eventually.TrueAsync(async () => (await agent.Cluster.GetNodeClaimsAsync()).Single().Interruption is not null, "the cluster holds the notice");

        service.Clock.Advance(TimeSpan.FromSeconds(89));
        await agent.Cluster.ReconcileAsync();
        Assert.All(await agent.CommandsAsync(), c => Assert.Equal(ClusterCommandKind.EvictPod, c.Kind));
        await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Refused, "budget");
        service.Clock.Advance(TimeSpan.FromSeconds(1));
        await agent.Cluster.ReconcileAsync();
        var forced = Assert.Single(await agent.CommandsAsync());
        Assert.Equal((ClusterCommandKind.DeletePod, "db-0"), (forced.Kind, forced.Pod));
    }
}
