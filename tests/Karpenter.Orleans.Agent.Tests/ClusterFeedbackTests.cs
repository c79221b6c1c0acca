using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Agent.Streaming;
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

    private static NodeClaimInfo Claim(string name, string pool, NodeClaimPhase phase, string? node, long milliCpu, long memory) =>
        new("c1", name, pool, new NodeClaimStatus { Phase = phase, NodeName = node, CapacityMilliCpu = milliCpu, CapacityMemory = memory });

    [Fact]
    public async Task NodePool_status_resources_sum_each_registered_nodes_capacity_or_a_launching_claims_own_and_count_the_nodes()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await InstallKarpenterCrdsAsync(client);
        await CreateNodePoolAsync(client, "general");
        var mirror = new ClusterMirror([ObjectKind.Node]);
        mirror.Replace(ObjectKind.Node, [KeyValuePair.Create(new ObjectKey(ObjectKind.Node, null, "node-a"),
            """{"metadata":{"name":"node-a"},"status":{"capacity":{"cpu":"4","memory":"16Gi","pods":"58","ephemeral-storage":"20Gi"}}}""")]);
        const long Gi = 1L << 30;
        var input = new ClusterFeedbackInput([Pool("general", true)], [])
        {
            NodeClaims =
            [
                // The registered node's own capacity counts (its 4 cores, not the claim's 3.9), a launching claim's capacity until its node registers.
                Claim("general-a", "general", NodeClaimPhase.Initialized, "node-a", 3900, 15 * Gi),
                Claim("general-b", "general", NodeClaimPhase.Launched, null, 2000, 8 * Gi),
                Claim("general-c", "general", NodeClaimPhase.Terminated, "node-c", 2000, 8 * Gi),
                Claim("gpu-a", "gpu", NodeClaimPhase.Initialized, "node-g", 8000, 32 * Gi),
            ],
            Mirror = mirror,
        };
        var feedback = new ClusterFeedback(client, NullLogger<ClusterFeedback>.Instance);

        await feedback.PublishAsync(input, default);
        await feedback.PublishAsync(input, default);

        var status = ((JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools", "general")).GetProperty("status");
        var resources = status.GetProperty("resources");
        Assert.Equal(("6", "24576Mi", "58", "20480Mi", "2"), (resources.GetProperty("cpu").GetString(), resources.GetProperty("memory").GetString(),
            resources.GetProperty("pods").GetString(), resources.GetProperty("ephemeral-storage").GetString(), resources.GetProperty("nodes").GetString()));
        Assert.Equal(2, status.GetProperty("nodes").GetInt32());
        Assert.Equal(1, server.Requests.Count(r => r.StartsWith("PATCH /apis/karpenter.sh/v1/nodepools/general/status", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task EC2NodeClass_status_carries_what_the_provider_resolved_and_its_conditions_written_once_per_change()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await InstallKarpenterCrdsAsync(client);
        await client.CustomObjects.CreateClusterCustomObjectAsync(new Dictionary<string, object>
        {
            ["apiVersion"] = "karpenter.k8s.aws/v1",
            ["kind"] = "EC2NodeClass",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "default" },
            ["spec"] = new Dictionary<string, object> { ["role"] = "KarpenterNodeRole" },
        }, "karpenter.k8s.aws", "v1", "ec2nodeclasses");
        var mirror = new ClusterMirror([ObjectKind.NodeClass]);
        mirror.Replace(ObjectKind.NodeClass, [KeyValuePair.Create(new ObjectKey(ObjectKind.NodeClass, null, "default"), """{"metadata":{"name":"default"}}""")]);
        var notReady = JsonNode.Parse("""
            {"subnets":[{"id":"subnet-0a1","zone":"us-east-1a","zoneID":"use1-az1"}],"securityGroups":[],"amis":[],"instanceProfile":null,"role":"KarpenterNodeRole",
             "conditions":[{"type":"Ready","status":"False","reason":"NotReady","message":"no security group matches spec.securityGroupSelectorTerms"},
                           {"type":"SubnetsReady","status":"True","reason":"SubnetsReady","message":""},
                           {"type":"SecurityGroupsReady","status":"False","reason":"SecurityGroupsNotFound","message":"no security group matches spec.securityGroupSelectorTerms"}]}
            """)!;
        var feedback = new ClusterFeedback(client, NullLogger<ClusterFeedback>.Instance);
        ClusterFeedbackInput Input(JsonNode status, bool ready) => new([], [])
        {
            NodeClasses = [new NodeClassInfo("c1", "default", "karpenter.k8s.aws/v1", "EC2NodeClass", null, ready, status)],
            Mirror = mirror,
        };

        await feedback.PublishAsync(Input(notReady, ready: false), default);
        await feedback.PublishAsync(Input(notReady, ready: false), default);

        var written = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("karpenter.k8s.aws", "v1", "ec2nodeclasses", "default");
        var status = written.GetProperty("status");
        Assert.Equal("subnet-0a1", status.GetProperty("subnets")[0].GetProperty("id").GetString());
        Assert.Equal("KarpenterNodeRole", status.GetProperty("role").GetString());
        Assert.False(status.TryGetProperty("instanceProfile", out _));
        var ready = ConditionOf(written, "Ready");
        Assert.Equal("False", ConditionOf(written, "SecurityGroupsReady").GetProperty("status").GetString());
        Assert.Equal("True", ConditionOf(written, "ValidationSucceeded").GetProperty("status").GetString());
        Assert.Equal(("False", "no security group matches spec.securityGroupSelectorTerms"), (ready.GetProperty("status").GetString(), ready.GetProperty("message").GetString()));
        Assert.Equal(1, server.Requests.Count(r => r.StartsWith("PATCH /apis/karpenter.k8s.aws/v1/ec2nodeclasses/default/status", StringComparison.Ordinal)));

        var resolved = notReady.DeepClone();
        resolved["securityGroups"] = new JsonArray(new JsonObject { ["id"] = "sg-0b2", ["name"] = "nodes" });
        resolved["conditions"] = new JsonArray(
            new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "Ready", ["message"] = "" },
            new JsonObject { ["type"] = "SecurityGroupsReady", ["status"] = "True", ["reason"] = "SecurityGroupsReady", ["message"] = "" });
        await feedback.PublishAsync(Input(resolved, ready: true), default);

        var after = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("karpenter.k8s.aws", "v1", "ec2nodeclasses", "default");
        Assert.Equal("True", ConditionOf(after, "Ready").GetProperty("status").GetString());
        Assert.Equal("sg-0b2", after.GetProperty("status").GetProperty("securityGroups")[0].GetProperty("id").GetString());
        // SubnetsReady is no longer said: it is gone from the status, not left stale.
        Assert.DoesNotContain(after.GetProperty("status").GetProperty("conditions").EnumerateArray(), c => c.GetProperty("type").GetString() == "SubnetsReady");
        Assert.Equal(2, server.Requests.Count(r => r.StartsWith("PATCH /apis/karpenter.k8s.aws/v1/ec2nodeclasses/default/status", StringComparison.Ordinal)));
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
