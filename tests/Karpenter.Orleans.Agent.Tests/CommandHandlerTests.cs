using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;
using static Karpenter.Orleans.Agent.Tests.AgentCluster;

namespace Karpenter.Orleans.Agent.Tests;

public sealed class CommandHandlerTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web" };
    private static int _ids;

    internal static ClusterCommand Command(ClusterCommandKind kind, string node, string? pod = null, string? taint = null) =>
        new($"cmd-{Interlocked.Increment(ref _ids)}", kind, node, pod is null ? null : "default", pod, taint, DateTimeOffset.UnixEpoch);

    internal static CommandHandler Handler(IKubernetes client) => new(client, NullLogger<CommandHandler>.Instance);

    private static async Task<IList<V1Taint>> TaintsAsync(IKubernetes client, string node) =>
        (await client.CoreV1.ReadNodeAsync(node)).Spec.Taints ?? [];

    [Fact]
    public async Task Tainting_keeps_a_taint_another_writer_added_between_the_agents_read_and_its_patch()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        using var other = server.CreateClient(Token);
        await client.CoreV1.CreateNodeAsync(Node("n1", new V1Taint { Key = "team", Value = "a", Effect = "NoSchedule" }));
        var raced = 0;
        // The first patch of the node is preceded by another writer's change, as kubelet or a user might make it.
        server.InjectFaults(line =>
        {
            if (line.StartsWith("PATCH /api/v1/nodes/n1", StringComparison.Ordinal) && Interlocked.Exchange(ref raced, 1) == 0)
            {
                var node = other.CoreV1.ReadNode("n1");
                node.Spec.Taints.Add(new V1Taint { Key = "example.com/maintenance", Effect = "NoExecute" });
                other.CoreV1.ReplaceNode(node, "n1");
            }

            return null;
        });

        var ack = await Handler(client).HandleAsync(Command(ClusterCommandKind.TaintNode, "n1", taint: "karpenter.sh/disrupted:NoSchedule"), default);

        Assert.Equal(CommandOutcome.Done, ack.Outcome);
        Assert.Equal(1, raced);
        var taints = await TaintsAsync(client, "n1");
        Assert.Equal(["team:NoSchedule", "example.com/maintenance:NoExecute", "karpenter.sh/disrupted:NoSchedule"], taints.Select(t => $"{t.Key}:{t.Effect}"));
        Assert.Equal("a", taints[0].Value);
        Assert.Equal(2, server.Requests.Count(r => r.StartsWith("PATCH /api/v1/nodes/n1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Untainting_removes_only_the_disrupted_taint_and_a_repeated_command_changes_nothing()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await client.CoreV1.CreateNodeAsync(Node("n1",
            new V1Taint { Key = "team", Value = "a", Effect = "NoSchedule" },
            new V1Taint { Key = "karpenter.sh/disrupted", Effect = "NoSchedule" }));
        var handler = Handler(client);
        var untaint = Command(ClusterCommandKind.UntaintNode, "n1", taint: "karpenter.sh/disrupted:NoSchedule");

        var first = await handler.HandleAsync(untaint, default);
        var again = await Handler(client).HandleAsync(untaint, default);

        Assert.Equal(CommandOutcome.Done, first.Outcome);
        Assert.Equal(CommandOutcome.Done, again.Outcome);
        Assert.Equal(["team"], (await TaintsAsync(client, "n1")).Select(t => t.Key));
        Assert.Equal(1, server.Requests.Count(r => r.StartsWith("PATCH /api/v1/nodes/n1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_eviction_a_budget_blocks_is_refused_with_the_servers_message_the_pod_stays_and_once_allowed_it_is_done()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await client.CoreV1.CreateNodeAsync(Node("n1"));
        await CreateBudgetAsync(client, "web", Web, 0);
        await CreateReadyPodAsync(client, Pod("web-1", "n1", Web));
        var handler = Handler(client);

        var refused = await handler.HandleAsync(Command(ClusterCommandKind.EvictPod, "n1", "web-1"), default);

        Assert.Equal(CommandOutcome.Refused, refused.Outcome);
        Assert.Contains("Cannot evict pod as it would violate the pod's disruption budget.", refused.Message, StringComparison.Ordinal);
        Assert.Contains("The disruption budget web", refused.Message, StringComparison.Ordinal);
        Assert.Equal("web-1", (await client.CoreV1.ReadNamespacedPodAsync("web-1", "default")).Metadata.Name);
        var blocked = (await client.CoreV1.ListNamespacedEventAsync("default")).Items.Single(e => e.Reason == "DisruptionBlocked");
        Assert.Equal(("Node", "n1"), (blocked.InvolvedObject.Kind, blocked.InvolvedObject.Name));

        // A budget that allows one: the service's next EvictPod (a new id) goes through.
        await client.PolicyV1.PatchNamespacedPodDisruptionBudgetAsync(new V1Patch("""{"spec":{"maxUnavailable":1}}""", V1Patch.PatchType.MergePatch), "web", "default");
        var done = await handler.HandleAsync(Command(ClusterCommandKind.EvictPod, "n1", "web-1"), default);

        Assert.Equal(CommandOutcome.Done, done.Outcome);
        Assert.Empty((await client.CoreV1.ListNamespacedPodAsync("default")).Items);
        Assert.Contains((await client.CoreV1.ListNamespacedEventAsync("default")).Items, e => e.Reason == "Evicted" && e.InvolvedObject.Name == "web-1");
        Assert.Equal(2, EvictionsOf(server, "web-1"));
        Assert.DoesNotContain(server.Requests, r => r.StartsWith("DELETE /api/v1/namespaces/default/pods", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disrupting_and_DisruptionBlocked_are_recorded_on_the_NodeClaim_that_owns_the_node_too_and_kubectl_describe_shows_them()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await InstallKarpenterCrdsAsync(client);
        var claim = (System.Text.Json.JsonElement)await client.CustomObjects.CreateClusterCustomObjectAsync(new Dictionary<string, object>
        {
            ["apiVersion"] = "karpenter.sh/v1",
            ["kind"] = "NodeClaim",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "general-x7k2p" },
            ["spec"] = new Dictionary<string, object> { ["nodeClassRef"] = new Dictionary<string, object> { ["group"] = "karpenter.k8s.aws", ["kind"] = "EC2NodeClass", ["name"] = "default" } },
        }, "karpenter.sh", "v1", "nodeclaims");
        var uid = claim.GetProperty("metadata").GetProperty("uid").GetString()!;
        var node = Node("n1");
        node.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "karpenter.sh/v1", Kind = "NodeClaim", Name = "general-x7k2p", Uid = uid }];
        await client.CoreV1.CreateNodeAsync(node);
        await CreateBudgetAsync(client, "web", Web, 0);
        await CreateReadyPodAsync(client, Pod("web-1", "n1", Web));
        var handler = Handler(client);

        Assert.Equal(CommandOutcome.Done, (await handler.HandleAsync(Command(ClusterCommandKind.TaintNode, "n1", taint: "karpenter.sh/disrupted:NoSchedule"), default)).Outcome);
        Assert.Equal(CommandOutcome.Refused, (await handler.HandleAsync(Command(ClusterCommandKind.EvictPod, "n1", "web-1"), default)).Outcome);

        var onClaim = (await client.CoreV1.ListEventForAllNamespacesAsync()).Items.Where(e => e.InvolvedObject.Kind == "NodeClaim").ToList();
        Assert.All(onClaim, e => Assert.Equal(("karpenter.sh/v1", "general-x7k2p", uid), (e.InvolvedObject.ApiVersion, e.InvolvedObject.Name, e.InvolvedObject.Uid)));
        var disrupting = Assert.Single(onClaim, e => e.Reason == "Disrupting");
        Assert.Contains("karpenter.sh/disrupted:NoSchedule", disrupting.Message, StringComparison.Ordinal);
        var blocked = Assert.Single(onClaim, e => e.Reason == "DisruptionBlocked");
        Assert.StartsWith("Cannot disrupt NodeClaim: eviction of pod default/web-1 refused:", blocked.Message, StringComparison.Ordinal);
        Assert.Contains(server.Requests, r => r.StartsWith("POST /api/v1/namespaces/default/events", StringComparison.Ordinal));
        var nodeBlocked = (await client.CoreV1.ListEventForAllNamespacesAsync()).Items.Single(e => e.InvolvedObject.Kind == "Node" && e.Reason == "DisruptionBlocked");
        Assert.StartsWith("Cannot disrupt Node: eviction of pod default/web-1 refused:", nodeBlocked.Message, StringComparison.Ordinal);

        var described = await KubectlAsync(server, "describe", "nodeclaim", "general-x7k2p");
        Assert.Matches(@"Normal\s+Disrupting\s+.*Disrupting NodeClaim", described);
        Assert.Matches(@"Normal\s+DisruptionBlocked\s+.*Cannot disrupt NodeClaim: eviction of pod default/web-1 refused", described);
    }

    [Fact]
    public async Task Evicting_a_pod_that_is_gone_or_was_recreated_on_another_node_is_done_without_an_eviction()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await CreateReadyPodAsync(client, Pod("db-0", "n2"));
        var handler = Handler(client);

        var gone = await handler.HandleAsync(Command(ClusterCommandKind.EvictPod, "n1", "web-1"), default);
        var moved = await handler.HandleAsync(Command(ClusterCommandKind.EvictPod, "n1", "db-0"), default);
        var deleteGone = await handler.HandleAsync(Command(ClusterCommandKind.DeletePod, "n1", "web-1"), default);

        Assert.Equal([CommandOutcome.Done, CommandOutcome.Done, CommandOutcome.Done], new[] { gone.Outcome, moved.Outcome, deleteGone.Outcome });
        Assert.DoesNotContain(server.Requests, r => r.EndsWith("/eviction", StringComparison.Ordinal));
        Assert.Single((await client.CoreV1.ListNamespacedPodAsync("default")).Items);
    }

    [Fact]
    public async Task A_command_delivered_again_after_a_restart_answers_done_without_a_second_eviction()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await CreateReadyPodAsync(client, Pod("web-1", "n1", Web));
        var command = Command(ClusterCommandKind.EvictPod, "n1", "web-1");

        var first = await Handler(client).HandleAsync(command, default);
        var redelivered = await Handler(client).HandleAsync(command, default);

        Assert.Equal(CommandOutcome.Done, first.Outcome);
        Assert.Equal(new CommandAck(command.Id, CommandOutcome.Done, "pod default/web-1 is already gone from node n1"), redelivered);
        Assert.Equal(1, EvictionsOf(server, "web-1"));
    }

    [Fact]
    public async Task DeletePod_deletes_with_a_grace_period_even_under_a_blocking_budget()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await CreateBudgetAsync(client, "web", Web, 0);
        var pod = Pod("web-1", "n1", Web);
        pod.Spec.TerminationGracePeriodSeconds = 120;
        await CreateReadyPodAsync(client, pod);

        var ack = await Handler(client).HandleAsync(Command(ClusterCommandKind.DeletePod, "n1", "web-1"), default);

        Assert.Equal(CommandOutcome.Done, ack.Outcome);
        Assert.Empty((await client.CoreV1.ListNamespacedPodAsync("default")).Items);
        Assert.Single(server.Requests, r => r.StartsWith("DELETE /api/v1/namespaces/default/pods/web-1", StringComparison.Ordinal));
        Assert.Contains((await client.CoreV1.ListNamespacedEventAsync("default")).Items, e => e.Reason == "Disrupted" && e.Message.Contains("grace period 30s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeleteNode_deletes_the_node_and_a_node_already_gone_is_done()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await client.CoreV1.CreateNodeAsync(Node("n1"));
        var handler = Handler(client);

        var deleted = await handler.HandleAsync(Command(ClusterCommandKind.DeleteNode, "n1"), default);
        var gone = await handler.HandleAsync(Command(ClusterCommandKind.DeleteNode, "n1"), default);

        Assert.Equal(CommandOutcome.Done, deleted.Outcome);
        Assert.Equal(CommandOutcome.Done, gone.Outcome);
        Assert.Contains("already gone", gone.Message, StringComparison.Ordinal);
        Assert.Empty((await client.CoreV1.ListNodeAsync()).Items);
    }

    [Fact]
    public async Task A_malformed_taint_fails_naming_the_command_and_the_taint()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await client.CoreV1.CreateNodeAsync(Node("n1"));

        var ack = await Handler(client).HandleAsync(Command(ClusterCommandKind.TaintNode, "n1", taint: "karpenter.sh/disrupted:Sometimes"), default);

        Assert.Equal(CommandOutcome.Failed, ack.Outcome);
        Assert.Contains("TaintNode node n1", ack.Message, StringComparison.Ordinal);
        Assert.Contains("effect 'Sometimes'", ack.Message, StringComparison.Ordinal);
    }
}
