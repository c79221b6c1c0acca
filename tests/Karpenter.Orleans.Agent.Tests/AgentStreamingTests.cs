using k8s;
using Karpenter.Orleans.Agent.Tests.TestSupport;

namespace Karpenter.Orleans.Agent.Tests;

/// <summary>The agent against a real API server and the real silo over HTTP: what the cluster holds, the service sees.</summary>
public sealed class AgentStreamingTests
{
    [Fact]
    public async Task Pods_nodes_and_NodePools_created_in_the_cluster_appear_in_the_services_view()
    {
        await using var rig = await AgentRig.StartAsync(SlowProvisioning);
        await rig.CreateNodePoolAsync("general");
        await rig.CreatePodAsync("before-0");
        await rig.StartAgentAsync();

        await rig.CreatePodAsync("after-0");
        await rig.CreatePodAsync("after-1");
        await rig.CreateNodeAsync("node-a", "general");

        await rig.EventuallyAsync("the pods in /pending", async () => (await rig.PendingNamesAsync()).SequenceEqual(new[] { "default/after-0", "default/after-1", "default/before-0" }));
        await rig.EventuallyAsync("the node in the cluster's status", async () => (await rig.StatusAsync()) is { Nodes: 1, Pods: 3, AgentConnected: true });
        Assert.Single(await rig.NodePoolsAsync(), p => p is { Name: "general", Valid: true });
    }

    [Fact]
    public async Task Watches_the_server_closes_are_resumed_from_the_last_version_without_losing_changes()
    {
        await using var rig = await AgentRig.StartAsync(SlowProvisioning);
        await rig.StartAgentAsync();
        await rig.CreatePodAsync("a");
        await rig.EventuallyAsync("pod a in /pending", async () => (await rig.PendingNamesAsync()).SequenceEqual(new[] { "default/a" }));

        Assert.True(rig.Server.CloseWatches() >= 6);
        await rig.CreatePodAsync("b");
        await rig.DeletePodAsync("a");
        // b reaches the service only through a resumed watch (there is no second list), so the pods watch is open again after this.
        await rig.EventuallyAsync("/pending equal to [b]", async () => (await rig.PendingNamesAsync()).SequenceEqual(new[] { "default/b" }));

        // A change the pods watch does not see moves the server's version past the last pod event; only the bookmark carries it to the agent.
        await rig.Kube.CoreV1.CreateNamespacedConfigMapAsync(new k8s.Models.V1ConfigMap { Metadata = new k8s.Models.V1ObjectMeta { Name = "unwatched" } }, "default");
        var unwatched = rig.Server.ResourceVersion;
        var watchesBefore = rig.AgentWatches("api/v1/pods");
        rig.Server.SendBookmarks();
        // The agent's own writes (Events) may move the version on meanwhile; the bookmark is at one between these two.
        var bookmarked = rig.Server.ResourceVersion;
        rig.Server.CloseWatches();
        await rig.EventuallyAsync("the pods watch opened again", () => Task.FromResult(rig.AgentWatches("api/v1/pods") > watchesBefore));
        await rig.CreatePodAsync("c");

        await rig.EventuallyAsync("/pending equal to the cluster", async () =>
        {
            var cluster = await rig.UnboundPodNamesAsync();
            return (await rig.PendingNamesAsync()).SequenceEqual(cluster);
        });
        Assert.Equal(["default/b", "default/c"], await rig.PendingNamesAsync());
        // Resumed, not listed again: one list of pods, and the watch after the bookmark asked from the bookmark's version.
        Assert.Equal(1, rig.AgentLists("api/v1/pods"));
        var resumed = rig.Server.Requests.Where(r => r.StartsWith("GET /api/v1/pods?", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal)).Skip(watchesBefore).First();
        var from = long.Parse(System.Text.RegularExpressions.Regex.Match(resumed, "resourceVersion=([0-9]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(from, unwatched, bookmarked);
    }

    [Fact]
    public async Task After_410_Gone_the_agent_lists_again_and_an_object_deleted_while_its_watch_was_down_is_gone_from_the_service()
    {
        await using var rig = await AgentRig.StartAsync(SlowProvisioning);
        await rig.StartAgentAsync();
        await rig.CreatePodAsync("kept");
        await rig.CreatePodAsync("deleted-while-down");
        await rig.EventuallyAsync("both pods in /pending", async () => (await rig.PendingNamesAsync()).Length == 2);

        // The pods watch cannot reconnect, so the agent sees neither change as an event...
        rig.Server.InjectFaults(r => r.StartsWith("GET /api/v1/pods?", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal) ? 503 : null);
        rig.Server.CloseWatches();
        await rig.DeletePodAsync("deleted-while-down");
        await rig.CreatePodAsync("added-while-down");
        // ...and the history it would resume from is gone: its next watch gets 410.
        rig.Server.CompactHistory();
        rig.Server.InjectFaults(null);

        await rig.EventuallyAsync("/pending equal to the cluster", async () =>
        {
            var cluster = await rig.UnboundPodNamesAsync();
            return (await rig.PendingNamesAsync()).SequenceEqual(cluster);
        });
        Assert.Equal(["default/added-while-down", "default/kept"], await rig.PendingNamesAsync());
        Assert.Equal(2, rig.AgentLists("api/v1/pods"));
        Assert.Contains(rig.Logs.Lines, l => l.Contains("api/v1/pods: resourceVersion", StringComparison.Ordinal) && l.Contains("410 Gone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_CRD_installed_after_the_agent_started_is_picked_up()
    {
        await using var rig = await AgentRig.StartAsync(SlowProvisioning, installCrds: false);
        await rig.StartAgentAsync();
        await rig.CreatePodAsync("a");
        await rig.EventuallyAsync("pod a in /pending (the missing CRDs do not hold the stream back)", async () => (await rig.PendingNamesAsync()).Length == 1);

        await rig.InstallCrdsAsync();
        await rig.CreateNodePoolAsync("general");

        await rig.EventuallyAsync("the NodePool in /nodepools", async () => (await rig.NodePoolsAsync()) is [{ Name: "general" }]);
        Assert.Single(rig.Logs.Lines, l => l.Contains("apis/karpenter.sh/v1/nodepools is not served", StringComparison.Ordinal));
    }

    /// <summary>No batch closes during a test: the pending list stays the cluster's unbound pods.</summary>
    internal static readonly IReadOnlyDictionary<string, string?> SlowProvisioning = new Dictionary<string, string?>
    {
        ["Karpo:Provisioning:BatchIdleDuration"] = "00:10:00",
        ["Karpo:Provisioning:BatchMaxDuration"] = "00:10:00",
    };
}
