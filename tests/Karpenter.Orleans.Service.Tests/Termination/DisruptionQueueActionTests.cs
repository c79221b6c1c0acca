using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Grains.Clusters.Disruption;
using Karpenter.Orleans.Grains.Clusters.Termination;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Resources;
using Microsoft.Extensions.Logging.Abstractions;

namespace Karpenter.Orleans.Service.Tests.Termination;

/// <summary>
/// The orchestration queue fed <see cref="DisruptionAction"/>s built by hand, as the disruption planner will
/// hand them over: what it taints, when it launches, when it deletes, when it gives up.
/// </summary>
public sealed class DisruptionQueueActionTests
{
    private readonly FakeDisruptionHost _host = new();
    private readonly CommandOutbox _outbox;
    private readonly NodeTerminator _terminator;
    private readonly DisruptionQueue _queue;

    public DisruptionQueueActionTests()
    {
        _outbox = new CommandOutbox(() => _host.State.Commands);
        _terminator = new NodeTerminator(_host, _outbox, NullLogger.Instance);
        _queue = new DisruptionQueue(_host, _terminator, NullLogger.Instance);
        _host.AddClaim("default-aaaaa", "node-a");
        _host.AddClaim("default-bbbbb", "node-b");
    }

    private static PlannedNodeClaim Replacement(string name) => new()
    {
        Name = name,
        NodePool = "default",
        InstanceType = "m5.large",
        Zone = "us-east-1a",
        CapacityType = "on-demand",
        PricePerHour = 0.096,
        InstanceTypeOptions = ["m5.large"],
        Labels = new Dictionary<string, string>(),
        Taints = [],
        Requests = new ResourceVector(1000, 2L << 30, 2),
        Pods = ["default/web-0", "default/web-1"],
    };

    private static DisruptionAction Action(DisruptionActionKind kind, params PlannedNodeClaim[] replacements) => new()
    {
        Method = DisruptionMethod.MultiNodeConsolidation,
        Reason = DisruptionReason.Underutilized,
        Kind = kind,
        Nodes = ["node-a", "node-b"],
        Replacements = replacements,
        SavingPerHour = 0.1,
    };

    [Fact]
    public async Task Two_nodes_replaced_by_one_are_tainted_first_and_deleted_only_after_the_replacement_initializes()
    {
        var queued = await _queue.StartAsync(Action(DisruptionActionKind.Replace, Replacement("default-ccccc")));

        Assert.Equal(QueuedDisruptionState.Waiting, queued.State);
        Assert.Equal(["default-ccccc"], queued.Replacements);
        Assert.All(queued.Candidates, c => Assert.Equal(NodeClaimPhase.Disrupting, _host.State.Claims[c.Claim].Phase));
        Assert.Equal(["node-a", "node-b"], _outbox.Pending.Where(c => c.Kind == ClusterCommandKind.TaintNode).Select(c => c.Node));
        Assert.True(_host.Saves > 0);

        _host.Now += TimeSpan.FromMinutes(3);
        await _queue.ReconcileAsync();
        Assert.Empty(_host.Terminated);

        _host.State.Claims["default-ccccc"].Phase = NodeClaimPhase.Initialized;
        _host.State.Claims["default-ccccc"].InitializedAt = _host.Now;
        await _queue.ReconcileAsync();

        Assert.Equal(QueuedDisruptionState.Done, queued.State);
        Assert.Equal(["default-aaaaa", "default-bbbbb"], _host.Terminated.Order());
        Assert.DoesNotContain("default-ccccc", _host.Terminated);
    }

    [Fact]
    public async Task A_delete_hands_its_nodes_to_termination_at_once()
    {
        var queued = await _queue.StartAsync(Action(DisruptionActionKind.Delete));

        Assert.Equal(QueuedDisruptionState.Done, queued.State);
        Assert.Equal(["default-aaaaa", "default-bbbbb"], _host.Terminated.Order());
    }

    [Fact]
    public async Task A_replacement_short_of_launching_untaints_and_restores_the_candidates()
    {
        _host.State.Claims["default-bbbbb"].Phase = NodeClaimPhase.Drifted;
        _host.Launchable = 1;

        var queued = await _queue.StartAsync(Action(DisruptionActionKind.Replace, Replacement("default-ccccc"), Replacement("default-ddddd")));

        Assert.Equal(QueuedDisruptionState.Failed, queued.State);
        Assert.Equal(NodeClaimPhase.Initialized, _host.State.Claims["default-aaaaa"].Phase);
        Assert.Equal(NodeClaimPhase.Drifted, _host.State.Claims["default-bbbbb"].Phase);
        Assert.Equal(["node-a", "node-b"], _outbox.Pending.Where(c => c.Kind == ClusterCommandKind.UntaintNode).Select(c => c.Node));
        Assert.Empty(_host.Terminated);
    }

    [Fact]
    public async Task The_timeout_is_ten_minutes_at_least_and_grows_with_the_queue_up_to_an_hour()
    {
        var first = await _queue.StartAsync(Action(DisruptionActionKind.Replace, Replacement("default-ccccc")) with { Nodes = ["node-a"] });
        Assert.Equal(TimeSpan.FromMinutes(10), first.Deadline - first.StartedAt);

        // 80 ms per queued command: 7,600 commands already waiting make 10 min 8 s; 50,000 hit the hour cap.
        for (var i = 0; i < 7_600; i++)
        {
            _host.State.Disruptions.Add(new QueuedDisruption { Id = $"filler-{i}", State = QueuedDisruptionState.Waiting, ReplacementsCreated = true, Deadline = DateTimeOffset.MaxValue });
        }

        var second = await _queue.StartAsync(Action(DisruptionActionKind.Replace, Replacement("default-ddddd")) with { Nodes = ["node-b"] });
        Assert.Equal(TimeSpan.FromMilliseconds(80 * 7_602), second.Deadline - second.StartedAt);

        _host.AddClaim("default-eeeee", "node-e");
        for (var i = 0; i < 50_000; i++)
        {
            _host.State.Disruptions.Add(new QueuedDisruption { Id = $"more-{i}", State = QueuedDisruptionState.Waiting, ReplacementsCreated = true, Deadline = DateTimeOffset.MaxValue });
        }

        var third = await _queue.StartAsync(Action(DisruptionActionKind.Replace, Replacement("default-fffff")) with { Nodes = ["node-e"] });
        Assert.Equal(TimeSpan.FromHours(1), third.Deadline - third.StartedAt);
    }

    [Fact]
    public async Task An_action_on_a_node_without_a_claim_changes_nothing()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _queue.StartAsync(Action(DisruptionActionKind.Delete) with { Nodes = ["node-a", "node-x"] }));

        Assert.Contains("node-x", error.Message, StringComparison.Ordinal);
        Assert.Empty(_host.State.Disruptions);
        Assert.Empty(_outbox.Pending);
        Assert.Equal(NodeClaimPhase.Initialized, _host.State.Claims["default-aaaaa"].Phase);
    }
}
