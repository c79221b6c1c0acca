using System.Text.Json;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;
using static Karpenter.Orleans.Agent.Tests.AgentCluster;

namespace Karpenter.Orleans.Agent.Tests;

public sealed class NodeClaimReconcilerTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static NodeClaimInfo Claim(NodeClaimPhase phase, string? node = null) => new("c1", "general-abc12", "general", new NodeClaimStatus
    {
        Phase = phase,
        InstanceType = "m5.large",
        Zone = "us-east-1a",
        CapacityType = "on-demand",
        CreatedAt = Created,
        InstanceId = phase >= NodeClaimPhase.Launched ? "i-0abc" : null,
        CapacityMilliCpu = phase >= NodeClaimPhase.Launched ? 2000 : 0,
        CapacityMemory = phase >= NodeClaimPhase.Launched ? 8L << 30 : 0,
        LaunchedAt = phase >= NodeClaimPhase.Launched ? Created.AddMinutes(1) : null,
        RegisteredAt = node is null ? null : Created.AddMinutes(2),
        InitializedAt = phase >= NodeClaimPhase.Initialized ? Created.AddMinutes(3) : null,
        NodeName = node,
    })
    {
        Labels = new Dictionary<string, string> { ["team"] = "payments" },
        Taints = ["dedicated=payments:NoSchedule"],
        RequestsMilliCpu = 1500,
        RequestsMemory = 3L << 30,
    };

    private static async Task CreateNodePoolAsync(IKubernetes client) =>
        await client.CustomObjects.CreateClusterCustomObjectAsync(new Dictionary<string, object>
        {
            ["apiVersion"] = "karpenter.sh/v1",
            ["kind"] = "NodePool",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "general" },
            ["spec"] = new Dictionary<string, object>
            {
                ["template"] = new Dictionary<string, object>
                {
                    ["spec"] = new Dictionary<string, object>
                    {
                        ["nodeClassRef"] = new Dictionary<string, object> { ["group"] = "karpenter.k8s.aws", ["kind"] = "EC2NodeClass", ["name"] = "default" },
                    },
                },
            },
        }, "karpenter.sh", "v1", "nodepools");

    private static async Task<JsonElement> NodeClaimAsync(IKubernetes client) =>
        (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("karpenter.sh", "v1", "nodeclaims", "general-abc12");

    private static string Condition(JsonElement claim, string type) =>
        claim.GetProperty("status").GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == type).GetProperty("status").GetString()!;

    [Fact]
    public async Task A_claim_becomes_a_NodeClaim_object_its_status_follows_and_its_node_is_registered_once()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await InstallKarpenterCrdsAsync(client);
        await CreateNodePoolAsync(client);
        await client.CoreV1.CreateNodeAsync(Node("ip-10-0-0-1",
            new V1Taint { Key = "karpenter.sh/unregistered", Effect = "NoExecute" },
            new V1Taint { Key = "node.kubernetes.io/not-ready", Effect = "NoSchedule" }));
        var reconciler = new NodeClaimReconciler(client, NullLogger<NodeClaimReconciler>.Instance);

        await reconciler.ReconcileAsync([Claim(NodeClaimPhase.Pending)], default);
        var pending = await NodeClaimAsync(client);
        await reconciler.ReconcileAsync([Claim(NodeClaimPhase.Initialized, "ip-10-0-0-1")], default);
        await reconciler.ReconcileAsync([Claim(NodeClaimPhase.Initialized, "ip-10-0-0-1")], default);
        var ready = await NodeClaimAsync(client);

        Assert.Equal("Unknown", Condition(pending, "Launched"));
        var labels = ready.GetProperty("metadata").GetProperty("labels");
        Assert.Equal("general", labels.GetProperty("karpenter.sh/nodepool").GetString());
        Assert.Equal("m5.large", labels.GetProperty("node.kubernetes.io/instance-type").GetString());
        Assert.Equal("payments", labels.GetProperty("team").GetString());
        var spec = ready.GetProperty("spec");
        Assert.Equal("EC2NodeClass", spec.GetProperty("nodeClassRef").GetProperty("kind").GetString());
        Assert.Contains(spec.GetProperty("requirements").EnumerateArray(), r => r.GetProperty("key").GetString() == "topology.kubernetes.io/zone" && r.GetProperty("values")[0].GetString() == "us-east-1a");
        Assert.Equal("dedicated", spec.GetProperty("taints")[0].GetProperty("key").GetString());
        var requests = spec.GetProperty("resources").GetProperty("requests");
        Assert.Equal(1.5m, new ResourceQuantity(requests.GetProperty("cpu").GetString()).ToDecimal());
        Assert.Equal(3L << 30, new ResourceQuantity(requests.GetProperty("memory").GetString()).ToInt64());

        // Owned as Karpenter's are: the NodeClaim by its NodePool, the Node by its NodeClaim.
        var pool = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools", "general");
        var owner = ready.GetProperty("metadata").GetProperty("ownerReferences").EnumerateArray().Single();
        Assert.Equal(("NodePool", "general", pool.GetProperty("metadata").GetProperty("uid").GetString(), true),
            (owner.GetProperty("kind").GetString(), owner.GetProperty("name").GetString(), owner.GetProperty("uid").GetString(), owner.GetProperty("blockOwnerDeletion").GetBoolean()));
        var status = ready.GetProperty("status");
        Assert.Equal("ip-10-0-0-1", status.GetProperty("nodeName").GetString());
        Assert.Equal("aws:///us-east-1a/i-ip-10-0-0-1", status.GetProperty("providerID").GetString());
        Assert.Equal("2", status.GetProperty("capacity").GetProperty("cpu").GetString());
        Assert.Equal("8192Mi", status.GetProperty("capacity").GetProperty("memory").GetString());
        Assert.All(new[] { "Launched", "Registered", "Initialized", "Ready" }, type => Assert.Equal("True", Condition(ready, type)));

        var node = await client.CoreV1.ReadNodeAsync("ip-10-0-0-1");
        Assert.Equal("payments", node.Metadata.Labels["team"]);
        Assert.Equal("true", node.Metadata.Labels["karpenter.sh/registered"]);
        Assert.Equal("general", node.Metadata.Labels["karpenter.sh/nodepool"]);
        Assert.Equal(["node.kubernetes.io/not-ready", "dedicated"], node.Spec.Taints.Select(t => t.Key));
        var nodeOwner = Assert.Single(node.Metadata.OwnerReferences);
        Assert.Equal(("karpenter.sh/v1", "NodeClaim", "general-abc12", ready.GetProperty("metadata").GetProperty("uid").GetString()),
            (nodeOwner.ApiVersion, nodeOwner.Kind, nodeOwner.Name, nodeOwner.Uid));

        // One event per transition, however many reconciles saw it.
        var events = (await client.CoreV1.ListNamespacedEventAsync("default")).Items.Where(e => e.InvolvedObject.Kind == "NodeClaim").ToList();
        Assert.Equal(["Initialized", "Launched", "Ready", "Registered"], events.Select(e => e.Reason).Order(StringComparer.Ordinal));
        Assert.All(events, e => Assert.Equal(1, e.Count));
        Assert.Contains(events, e => e.Message == "Status condition transitioned, Type: Launched, Status: Unknown -> True, Reason: Launched");

        // Registered once: a taint the user removes afterwards is not put back.
        await client.CoreV1.PatchNodeAsync(new V1Patch("""[{"op":"remove","path":"/spec/taints/1"}]""", V1Patch.PatchType.JsonPatch), "ip-10-0-0-1");
        await reconciler.ReconcileAsync([Claim(NodeClaimPhase.Initialized, "ip-10-0-0-1")], default);
        Assert.Equal(["node.kubernetes.io/not-ready"], (await client.CoreV1.ReadNodeAsync("ip-10-0-0-1")).Spec.Taints.Select(t => t.Key));

        // (The in-process server leaves the Type column, a label path with escaped dots, empty; the label is asserted above.)
        var table = await KubectlAsync(server, "get", "nodeclaims");
        Assert.Contains("general-abc12", table, StringComparison.Ordinal);
        Assert.Contains("ip-10-0-0-1", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_object_of_a_claim_the_service_terminated_or_no_longer_lists_is_deleted_and_others_are_left_alone()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await InstallKarpenterCrdsAsync(client);
        await client.CustomObjects.CreateClusterCustomObjectAsync(new Dictionary<string, object>
        {
            ["apiVersion"] = "karpenter.sh/v1",
            ["kind"] = "NodeClaim",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "someone-elses" },
            ["spec"] = new Dictionary<string, object>(),
        }, "karpenter.sh", "v1", "nodeclaims");
        var reconciler = new NodeClaimReconciler(client, NullLogger<NodeClaimReconciler>.Instance);
        await reconciler.ReconcileAsync([Claim(NodeClaimPhase.Launched)], default);

        await reconciler.ReconcileAsync([Claim(NodeClaimPhase.Terminated)], default);

        var names = ((JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("karpenter.sh", "v1", "nodeclaims"))
            .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal(["someone-elses"], names);
    }

    [Theory]
    [InlineData("launch failed: Unauthorized: EC2 UnauthorizedOperation: You are not authorized to perform this operation.", "Unauthorized")]
    [InlineData("launch failed: m5.large/us-east-1a/on-demand: InsufficientCapacity; m5.large/us-east-1b/on-demand: InsufficientCapacity", "InsufficientCapacity")]
    [InlineData("launch failed: quota L-1216C47A: 2 vCPU more would exceed the limit of 0 (0 in use, 0 held for launches)", "QuotaExceeded")]
    public async Task A_claim_whose_launch_failed_shows_Launched_False_with_the_reason_written_once_with_one_warning_event(string reason, string expected)
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await InstallKarpenterCrdsAsync(client);
        await CreateNodePoolAsync(client);
        var reconciler = new NodeClaimReconciler(client, NullLogger<NodeClaimReconciler>.Instance);
        await reconciler.ReconcileAsync([Claim(NodeClaimPhase.Pending)], default);
        var failed = Claim(NodeClaimPhase.Pending);
        failed.Phase = NodeClaimPhase.Terminated;
        failed.TerminatedAt = Created.AddSeconds(5);
        failed.Reason = reason;

        await reconciler.ReconcileAsync([failed], default);
        var written = await NodeClaimAsync(client);
        await reconciler.ReconcileAsync([failed], default);
        await reconciler.ReconcileAsync([failed], default);
        var later = await NodeClaimAsync(client);

        var launched = written.GetProperty("status").GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "Launched");
        Assert.Equal(("False", expected, reason), (launched.GetProperty("status").GetString(), launched.GetProperty("reason").GetString(), launched.GetProperty("message").GetString()));
        Assert.Equal("False", Condition(written, "Ready"));
        // Written once: the service lists the ended claim on every poll, and each poll must not rewrite it.
        Assert.Equal(written.GetProperty("metadata").GetProperty("resourceVersion").GetString(), later.GetProperty("metadata").GetProperty("resourceVersion").GetString());
        var warning = Assert.Single((await client.CoreV1.ListNamespacedEventAsync("default")).Items, e => e.InvolvedObject.Kind == "NodeClaim" && e.Type == "Warning" && e.Reason == "Launched");
        Assert.Equal(1, warning.Count);
        Assert.Equal($"Status condition transitioned, Type: Launched, Status: Unknown -> False, Reason: {expected}, Message: {reason}", warning.Message);
        var yaml = await KubectlAsync(server, "get", "nodeclaim", "general-abc12", "-o", "yaml");
        Assert.Contains($"reason: {expected}", yaml, StringComparison.Ordinal);

        // Once the service stops listing it, the object goes.
        await reconciler.ReconcileAsync([], default);
        var names = ((JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("karpenter.sh", "v1", "nodeclaims"))
            .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Empty(names);
    }
}
