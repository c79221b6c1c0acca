using System.Net;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>"Why is this node not consolidated?" over HTTP: the explain route names what blocks each node.</summary>
[Collection(ApiCollection.Name)]
public sealed class DisruptionExplainApiTests(KarpoSiloFactory silo)
{
    private const string Cluster = "api-explain";

    private const string NodePool = """
        {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "default"},
         "spec": {"template": {"spec": {"nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
           "requirements": [{"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": ["m"]}]}},
           "disruption": {"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "0s"}}}
        """;

    private static readonly Dictionary<string, string> DoNotDisrupt = new() { ["karpenter.sh/do-not-disrupt"] = "true" };

    private static string PodJson(string name, string? nodeName) => AgentObjects.Pod(name, nodeName, DoNotDisrupt);

    private static string NodeJson(NodeClaimInfo claim) => AgentObjects.Node(claim);

    [Fact]
    public async Task A_node_held_by_a_do_not_disrupt_pod_is_listed_as_blocked_with_the_pod_named()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var token = await admin.RegisterAsync(Cluster);
        using var agent = silo.CreateClient(token);
        using (var put = await agent.PutJsonAsync($"/api/v1/clusters/{Cluster}/state", new ClusterSnapshot("s-1", 0,
            [new ClusterObject(ObjectKind.NodePool, NodePool), new ClusterObject(ObjectKind.Pod, PodJson("db-0", null))])))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var claim = await ClaimAsync(agent, c => c.InstanceId is not null);
        var node = "node-" + claim.InstanceId;
        using (var post = await agent.PostJsonAsync($"/api/v1/clusters/{Cluster}/deltas", new DeltaBatch("s-1",
            [new ObjectDelta(1, DeltaType.Upsert, ObjectKind.Node, null, node, NodeJson(claim)),
             new ObjectDelta(2, DeltaType.Upsert, ObjectKind.Pod, "default", "db-0", PodJson("db-0", node))])))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        }

        await ClaimAsync(agent, c => c.Name == claim.Name && c.Phase == NodeClaimPhase.Initialized);

        using var reader = silo.CreateClient(KarpoSiloFactory.ReadToken);
        using var response = await reader.GetAsync($"/api/v1/clusters/{Cluster}/disruption");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var explanation = await response.ReadAsync<DisruptionExplanation>();
        var row = Assert.Single(explanation.Nodes);
        Assert.Equal(node, row.Node);
        Assert.Equal(claim.Name, row.NodeClaim);
        Assert.Equal("blocked", row.Decision);
        Assert.Contains("default/db-0", row.Reason, StringComparison.Ordinal);
        Assert.Contains("do-not-disrupt", row.Reason, StringComparison.Ordinal);
        Assert.Equal(explanation.PricePerHourBefore, explanation.PricePerHourAfter);
        Assert.Equal(claim.PricePerHour, explanation.PricePerHourBefore, 6);

        // The node stays: nothing disrupts it while the pod holds it.
        await Task.Delay(1500);
        var claims = await (await agent.GetAsync($"/api/v1/clusters/{Cluster}/nodeclaims")).ReadAsync<NodeClaimInfo[]>();
        Assert.Equal(NodeClaimPhase.Initialized, Assert.Single(claims, c => c.Name == claim.Name).Phase);
    }

    [Fact]
    public async Task The_explain_route_needs_a_token_and_a_registered_cluster()
    {
        using var anonymous = silo.CreateClient();
        using (var response = await anonymous.GetAsync("/api/v1/clusters/anything/disruption"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var reader = silo.CreateClient(KarpoSiloFactory.ReadToken);
        using (var response = await reader.GetAsync("/api/v1/clusters/never-registered/disruption"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("clusterId", (await response.ReadErrorAsync()).Field);
        }
    }

    private static async Task<NodeClaimInfo> ClaimAsync(HttpClient agent, Func<NodeClaimInfo, bool> match)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (true)
        {
            var claims = await (await agent.GetAsync($"/api/v1/clusters/{Cluster}/nodeclaims")).ReadAsync<NodeClaimInfo[]>();
            if (claims.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "no matching NodeClaim within 60 s");
            await Task.Delay(100);
        }
    }
}
