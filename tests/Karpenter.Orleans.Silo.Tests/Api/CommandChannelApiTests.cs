using System.Net;
using System.Text.Json;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>The agent's command channel over HTTP: a NodeClaim deleted through the API drains through commands the agent fetches and acknowledges.</summary>
[Collection(ApiCollection.Name)]
public sealed class CommandChannelApiTests(KarpoSiloFactory silo)
{
    private const string NodePool = """
        {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "default"},
         "spec": {"template": {"spec": {"nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
           "requirements": [{"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": ["m"]}]}}}}
        """;

    private static string PodJson(string name, string? nodeName) => AgentObjects.Pod(name, nodeName);

    private static string NodeJson(NodeClaimInfo claim) => AgentObjects.Node(claim);

    [Fact]
    public async Task A_NodeClaim_deleted_through_the_API_is_drained_through_the_agents_commands_and_acks()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var token = await admin.RegisterAsync("api-cmd");
        using var agent = silo.CreateClient(token);
        using (var put = await agent.PutJsonAsync("/api/v1/clusters/api-cmd/state", new ClusterSnapshot("s-1", 0,
            [new ClusterObject(ObjectKind.NodePool, NodePool), new ClusterObject(ObjectKind.Pod, PodJson("web-0", null))])))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var claim = await ClaimAsync(agent, c => c.InstanceId is not null, "a launched NodeClaim");
        var node = "node-" + claim.InstanceId;
        await SendAsync(agent, new ObjectDelta(1, DeltaType.Upsert, ObjectKind.Node, null, node, NodeJson(claim)),
            new ObjectDelta(2, DeltaType.Upsert, ObjectKind.Pod, "default", "web-0", PodJson("web-0", node)));
        await ClaimAsync(agent, c => c.Name == claim.Name && c.Phase == NodeClaimPhase.Initialized, "the claim Initialized");

        using (var delete = await admin.DeleteAsync($"/api/v1/clusters/api-cmd/nodeclaims/{claim.Name}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
            Assert.Equal(NodeClaimPhase.Disrupting, (await delete.ReadAsync<NodeClaimInfo>()).Phase);
        }

        // The wire shape the agent reads: camelCase fields, kinds as camelCase strings.
        using (var raw = await agent.GetAsync("/api/v1/clusters/api-cmd/commands"))
        {
            Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
            using var json = JsonDocument.Parse(await raw.Content.ReadAsStringAsync());
            var first = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal("taintNode", first.GetProperty("kind").GetString());
            Assert.Equal(node, first.GetProperty("node").GetString());
            Assert.Equal("karpenter.sh/disrupted:NoSchedule", first.GetProperty("taint").GetString());
            Assert.Equal($"{claim.Name}/taint/1", first.GetProperty("id").GetString());
        }

        var taint = Assert.Single(await CommandsAsync(agent));
        using (var ack = await agent.PostAsync("/api/v1/clusters/api-cmd/commands/acks", ApiJson.Raw($$"""[{"id": "{{taint.Id}}", "outcome": "done"}, {"id": "nobody/knows", "outcome": "failed", "message": "x"}]""")))
        {
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
            Assert.Equal(new CommandAckResult(1, 1), await ack.ReadAsync<CommandAckResult>());
        }

        var evict = Assert.Single(await CommandsAsync(agent));
        Assert.Equal((ClusterCommandKind.EvictPod, "default", "web-0"), (evict.Kind, evict.Namespace, evict.Pod));
        using (var ack = await agent.PostJsonAsync("/api/v1/clusters/api-cmd/commands/acks", new[] { new CommandAck(evict.Id, CommandOutcome.Done) }))
        {
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        }

        await SendAsync(agent, new ObjectDelta(3, DeltaType.Delete, ObjectKind.Pod, "default", "web-0"));
        var ended = await ClaimAsync(agent, c => c.Name == claim.Name && c.Phase == NodeClaimPhase.Terminated, "the claim Terminated");
        Assert.Equal("deleted through the API", ended.Reason);
        Assert.Equal([ClusterCommandKind.DeleteNode], (await CommandsAsync(agent)).Select(c => c.Kind));
    }

    [Fact]
    public async Task The_command_routes_refuse_another_clusters_agent()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var tokenA = await admin.RegisterAsync("api-cmd-a");
        await admin.RegisterAsync("api-cmd-b");
        using var agentA = silo.CreateClient(tokenA);
        using var reader = silo.CreateClient(KarpoSiloFactory.ReadToken);

        using (var own = await agentA.GetAsync("/api/v1/clusters/api-cmd-a/commands"))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        using (var other = await agentA.GetAsync("/api/v1/clusters/api-cmd-b/commands"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        }

        using (var acks = await agentA.PostAsync("/api/v1/clusters/api-cmd-b/commands/acks", ApiJson.Raw("[]")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, acks.StatusCode);
        }

        // A read token reads views, not an agent's commands; deleting a NodeClaim is the admin's.
        using (var read = await reader.GetAsync("/api/v1/clusters/api-cmd-a/commands"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        }

        using (var delete = await agentA.DeleteAsync("/api/v1/clusters/api-cmd-a/nodeclaims/default-abcde"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        }
    }

    [Theory]
    [InlineData("""[{"id": "a/taint/1", "outcome": "maybe"}]""", "[0].outcome")]
    [InlineData("""[{"outcome": "done"}]""", "[0].id")]
    [InlineData("""[{"id": "a/taint/1"}]""", "[0].outcome")]
    [InlineData("""[{"id": "a/taint/1", "outcome": "done", "reason": "x"}]""", "[0].reason")]
    [InlineData("""[{"id": "", "outcome": "done"}]""", "[0].id")]
    [InlineData("""[{"id": "a", "outcome": "done"}, null]""", "[1]")]
    [InlineData("""[{"id": "a", "outcome": 0}]""", "[0].outcome")]
    [InlineData("""{"id": "a", "outcome": "done"}""", "body")]
    public async Task Bad_acknowledgements_are_refused_naming_the_field(string body, string field)
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var token = await admin.RegisterAsync("api-cmd-bad");
        using var agent = silo.CreateClient(token);

        using var response = await agent.PostAsync("/api/v1/clusters/api-cmd-bad/commands/acks", ApiJson.Raw(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.ReadErrorAsync()).Field);
    }

    [Fact]
    public async Task Deleting_an_unknown_or_misnamed_NodeClaim_says_which()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("api-cmd-del");

        using var unknown = await admin.DeleteAsync("/api/v1/clusters/api-cmd-del/nodeclaims/default-zzzzz");
        using var misnamed = await admin.DeleteAsync("/api/v1/clusters/api-cmd-del/nodeclaims/Not_A_Name");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("default-zzzzz", (await unknown.ReadErrorAsync()).Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, misnamed.StatusCode);
        Assert.Equal("nodeClaim", (await misnamed.ReadErrorAsync()).Field);
    }

    private static async Task<ClusterCommand[]> CommandsAsync(HttpClient agent)
    {
        using var response = await agent.GetAsync("/api/v1/clusters/api-cmd/commands");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<ClusterCommand[]>();
    }

    private static async Task SendAsync(HttpClient agent, params ObjectDelta[] deltas)
    {
        using var post = await agent.PostJsonAsync("/api/v1/clusters/api-cmd/deltas", new DeltaBatch("s-1", deltas));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var result = await post.ReadAsync<SyncResult>();
        Assert.Empty(result.Errors);
    }

    /// <summary>Waits for the batch timer and the claim's lifecycle (both run on their own in the silo).</summary>
    private static async Task<NodeClaimInfo> ClaimAsync(HttpClient agent, Func<NodeClaimInfo, bool> match, string what)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (true)
        {
            var claims = await (await agent.GetAsync("/api/v1/clusters/api-cmd/nodeclaims")).ReadAsync<NodeClaimInfo[]>();
            if (claims.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"no {what} within 60 s");
            await Task.Delay(100);
        }
    }
}
