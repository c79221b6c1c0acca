using System.Text.Json;
using k8s;
using Karpenter.Orleans.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;
using static Karpenter.Orleans.Agent.Tests.AgentCluster;

namespace Karpenter.Orleans.Agent.Tests;

public sealed class ClusterFeedbackTests
{
    private const string Rejected = "nodepool general: spec.template.spec.taints[0].effect: 'Sometimes' is not NoSchedule, PreferNoSchedule or NoExecute";

    private static NodePoolStatus Pool(string name, bool valid, string? error = null) =>
        new("c1", name, 0, valid, error, new Dictionary<string, string>(), new Dictionary<string, string> { ["cpu"] = "4" }, 1, 1);

    private static Task CreateNodePoolAsync(IKubernetes client, string name) =>
        client.CustomObjects.CreateClusterCustomObjectAsync(new Dictionary<string, object>
        {
            ["apiVersion"] = "karpenter.sh/v1",
            ["kind"] = "NodePool",
            ["metadata"] = new Dictionary<string, object> { ["name"] = name },
            ["spec"] = new Dictionary<string, object> { ["template"] = new Dictionary<string, object> { ["spec"] = new Dictionary<string, object>() } },
        }, "karpenter.sh", "v1", "nodepools");

    private static JsonElement ConditionOf(JsonElement pool, string type) =>
        pool.GetProperty("status").GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == type);

    [Fact]
    public async Task A_rejected_NodePool_shows_ValidationSucceeded_False_with_the_located_error()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await InstallKarpenterCrdsAsync(client);
        await CreateNodePoolAsync(client, "general");
        await CreateNodePoolAsync(client, "gpu");
        var feedback = new ClusterFeedback(client, NullLogger<ClusterFeedback>.Instance);

        await feedback.PublishAsync([Pool("general", false, Rejected), Pool("gpu", true), Pool("not-in-the-cluster", true)], [], default);
        await feedback.PublishAsync([Pool("general", false, Rejected), Pool("gpu", true)], [], default);

        var general = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools", "general");
        var validation = ConditionOf(general, "ValidationSucceeded");
        Assert.Equal("False", validation.GetProperty("status").GetString());
        Assert.Equal(Rejected, validation.GetProperty("message").GetString());
        Assert.Equal("False", ConditionOf(general, "Ready").GetProperty("status").GetString());
        var gpu = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools", "gpu");
        Assert.Equal("True", ConditionOf(gpu, "Ready").GetProperty("status").GetString());
        Assert.Equal(2, server.Requests.Count(r => r.StartsWith("PATCH /apis/karpenter.sh/v1/nodepools/", StringComparison.Ordinal)));

        var table = await KubectlAsync(server, "get", "nodepools");
        Assert.Matches(@"general\s+\S*\s+\S*\s*False", table);
    }

    [Fact]
    public async Task Kubectl_describe_pod_shows_the_Nominated_event_once_however_often_it_is_published()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-1", node: null), "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-2", node: null), "default");
        var feedback = new ClusterFeedback(client, NullLogger<ClusterFeedback>.Instance);
        var since = DateTimeOffset.UnixEpoch;
        PendingPod[] pending =
        [
            new("default", "", "malformed", since),
            new("default", "gone", "no longer there", since),
            new("default", "web-1", "nominated", since, "general-abc12"),
            new("default", "web-2", "incompatible with nodepool \"general\": requires label team=payments", since),
        ];

        for (var poll = 0; poll < 3; poll++)
        {
            await feedback.PublishAsync([], pending, default);
        }

        var events = (await client.CoreV1.ListNamespacedEventAsync("default")).Items;
        var nominated = Assert.Single(events, e => e.InvolvedObject.Name == "web-1");
        Assert.Equal(("Nominated", "Pod should schedule on: nodeclaim/general-abc12", 1), (nominated.Reason, nominated.Message, nominated.Count));
        var failed = Assert.Single(events, e => e.InvolvedObject.Name == "web-2");
        Assert.Equal(("FailedScheduling", "Warning"), (failed.Reason, failed.Type));
        Assert.Equal(2, events.Count);

        var described = await KubectlAsync(server, "describe", "pod", "web-1");
        Assert.Matches(@"Normal\s+Nominated\s+.*karpenter\s+Pod should schedule on: nodeclaim/general-abc12", described);
    }

    [Fact]
    public async Task The_same_event_after_the_dedupe_window_is_counted_on_the_one_Event_object()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-1", node: null), "default");
        var events = new KubernetesEvents(client) { DedupeWindow = TimeSpan.Zero };
        var feedback = new ClusterFeedback(client, NullLogger<ClusterFeedback>.Instance, events);

        for (var poll = 0; poll < 3; poll++)
        {
            await feedback.PublishAsync([], [new("default", "web-1", "nominated", DateTimeOffset.UnixEpoch, "general-abc12")], default);
        }

        var nominated = Assert.Single((await client.CoreV1.ListNamespacedEventAsync("default")).Items);
        Assert.Equal(3, nominated.Count);
    }
}
