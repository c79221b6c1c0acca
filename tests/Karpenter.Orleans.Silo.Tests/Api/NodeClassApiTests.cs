using System.Net;
using System.Text.Json;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>
/// <c>GET /api/v1/clusters/{id}/nodeclasses</c> and <c>/{name}</c>: the node classes the cluster's agent sent, for
/// read tokens and the cluster's own agent. On the simulated cloud, which reads no node classes, without a status.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class NodeClassApiTests(KarpoSiloFactory silo)
{
    private const string NodeClass = """
        {"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"general"},
         "spec":{"role":"KarpoNodeRole","amiSelectorTerms":[{"alias":"al2023@latest"}],"subnetSelectorTerms":[{"tags":{"karpenter.sh/discovery":"api-nc"}}],
                 "securityGroupSelectorTerms":[{"tags":{"karpenter.sh/discovery":"api-nc"}}]}}
        """;

    [Fact]
    public async Task The_agents_node_classes_are_listed_and_read_by_name_with_their_spec()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var token = await admin.RegisterAsync("api-nc");
        using var agent = silo.CreateClient(token);
        using (var resync = await agent.PutJsonAsync("/api/v1/clusters/api-nc/state", ApiJson.Snapshot(new ClusterObject(ObjectKind.NodeClass, NodeClass))))
        {
            Assert.Empty((await resync.ReadAsync<SyncResult>()).Errors);
        }

        using var read = silo.CreateClient(KarpoSiloFactory.ReadToken);
        using var list = await read.GetAsync("/api/v1/clusters/api-nc/nodeclasses");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var listed = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        var item = Assert.Single(listed.RootElement.EnumerateArray());
        Assert.Equal("api-nc", item.GetProperty("clusterId").GetString());
        Assert.Equal("general", item.GetProperty("name").GetString());
        Assert.Equal("karpenter.k8s.aws/v1", item.GetProperty("apiVersion").GetString());
        Assert.Equal("EC2NodeClass", item.GetProperty("kind").GetString());
        Assert.Equal("KarpoNodeRole", item.GetProperty("spec").GetProperty("role").GetString());
        Assert.Equal("al2023@latest", item.GetProperty("spec").GetProperty("amiSelectorTerms")[0].GetProperty("alias").GetString());
        // The simulated cloud reads no node classes: nothing to resolve.
        Assert.Equal(JsonValueKind.Null, item.GetProperty("ready").ValueKind);
        Assert.Equal(JsonValueKind.Null, item.GetProperty("status").ValueKind);

        using var one = await agent.GetAsync("/api/v1/clusters/api-nc/nodeclasses/general");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal("general", (await one.ReadAsync<JsonElement>()).GetProperty("name").GetString());

        using var missing = await read.GetAsync("/api/v1/clusters/api-nc/nodeclasses/other");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(("cluster 'api-nc' has no node class 'other'", "name"), await ErrorAsync(missing));

        using var bad = await read.GetAsync("/api/v1/clusters/api-nc/nodeclasses/Not_A_Name");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("name", (await bad.ReadErrorAsync()).Field);

        // A delete delta removes it.
        using (var deltas = await agent.PostJsonAsync("/api/v1/clusters/api-nc/deltas",
                   new DeltaBatch("session-1", [new ObjectDelta(2, DeltaType.Delete, ObjectKind.NodeClass, null, "general")])))
        {
            Assert.Empty((await deltas.ReadAsync<SyncResult>()).Errors);
        }

        Assert.Empty(await (await read.GetAsync("/api/v1/clusters/api-nc/nodeclasses")).ReadAsync<JsonElement[]>());
    }

    [Fact]
    public async Task Another_clusters_agent_and_an_unregistered_cluster_get_no_node_classes()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("api-nc-a");
        var tokenB = await admin.RegisterAsync("api-nc-b");
        using var agentB = silo.CreateClient(tokenB);

        using var foreign = await agentB.GetAsync("/api/v1/clusters/api-nc-a/nodeclasses");
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        using var anonymous = silo.CreateClient(token: null);
        using var noToken = await anonymous.GetAsync("/api/v1/clusters/api-nc-a/nodeclasses");
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        using var read = silo.CreateClient(KarpoSiloFactory.ReadToken);
        using var nobody = await read.GetAsync("/api/v1/clusters/api-nc-nobody/nodeclasses");
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
    }

    private static async Task<(string, string?)> ErrorAsync(HttpResponseMessage response)
    {
        var error = await response.ReadErrorAsync();
        return (error.Error, error.Field);
    }
}
