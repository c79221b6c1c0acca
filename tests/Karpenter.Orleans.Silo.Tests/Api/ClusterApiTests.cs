using System.Net;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>The happy paths: register, report state, read it back through every view.</summary>
[Collection(ApiCollection.Name)]
public sealed class ClusterApiTests(KarpoSiloFactory silo)
{
    [Fact]
    public async Task Registration_returns_a_fresh_agent_token_once()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var response = await admin.PostJsonAsync("/api/v1/clusters", new ClusterRegistration("api-reg", "simulated", "eu-west-1", "111122223333", 12.5, "Registration test"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/v1/clusters/api-reg", response.Headers.Location?.OriginalString);
        var body = await response.ReadAsync<ClusterRegistrationResponse>();
        Assert.Equal("api-reg", body.Cluster.ClusterId);
        Assert.StartsWith("karpo_agent_", body.AgentToken, StringComparison.Ordinal);
        Assert.True(body.AgentToken.Length >= 40);

        using var read = silo.CreateClient(KarpoSiloFactory.ReadToken);
        var status = await (await read.GetAsync("/api/v1/clusters/api-reg")).ReadAsync<ClusterStatus>();
        Assert.Equal("eu-west-1", status.Region);
        Assert.Equal(12.5, status.SpendCapPerHour);

        var all = await (await read.GetAsync("/api/v1/clusters")).ReadAsync<ClusterStatus[]>();
        Assert.Contains(all, c => c.ClusterId == "api-reg");
    }

    [Fact]
    public async Task Unregistered_cluster_is_404_with_an_api_error()
    {
        using var read = silo.CreateClient(KarpoSiloFactory.ReadToken);
        foreach (var url in new[] { "/api/v1/clusters/api-nobody", "/api/v1/clusters/api-nobody/pending", "/api/v1/nodeclaims?cluster=api-nobody" })
        {
            using var response = await read.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("api-nobody", (await response.ReadErrorAsync()).Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Resync_then_deltas_are_applied_and_visible()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var token = await admin.RegisterAsync("api-sync");
        using var agent = silo.CreateClient(token);

        using (var resync = await agent.PutJsonAsync("/api/v1/clusters/api-sync/state", new ClusterSnapshot("s-1", 5, [ApiJson.PendingPod("web-0"), ApiJson.PendingPod("web-1")])))
        {
            Assert.Equal(HttpStatusCode.OK, resync.StatusCode);
            var result = await resync.ReadAsync<SyncResult>();
            Assert.False(result.ResyncRequired);
            Assert.Empty(result.Errors);
        }

        var pod = ApiJson.PendingPod("web-2");
        using (var deltas = await agent.PostJsonAsync("/api/v1/clusters/api-sync/deltas", new DeltaBatch("s-1", [new ObjectDelta(6, DeltaType.Upsert, ObjectKind.Pod, "default", "web-2", pod.Json)])))
        {
            Assert.Equal(HttpStatusCode.OK, deltas.StatusCode);
            var result = await deltas.ReadAsync<SyncResult>();
            Assert.Equal(1, result.Applied);
            Assert.Equal(6, result.LastSequence);
        }

        var status = await (await agent.GetAsync("/api/v1/clusters/api-sync")).ReadAsync<ClusterStatus>();
        Assert.Equal(3, status.Pods);
        Assert.Equal(6, status.LastSequence);
    }

    [Fact]
    public async Task A_snapshot_takes_objects_embedded_as_JSON_or_as_strings_and_is_sent_embedded()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var token = await admin.RegisterAsync("api-embedded");
        using var agent = silo.CreateClient(token);
        var embedded = ApiJson.PendingPod("web-0").Json;
        var escaped = System.Text.Json.JsonSerializer.Serialize(ApiJson.PendingPod("web-1").Json);
        var body = $$"""{"agentSession":"s-1","sequence":3,"objects":[{"kind":"pod","json":{{embedded}}},{"kind":"pod","json":{{escaped}}}]}""";

        using (var resync = await agent.PutAsync("/api/v1/clusters/api-embedded/state", ApiJson.Raw(body)))
        {
            Assert.Equal(HttpStatusCode.OK, resync.StatusCode);
            Assert.Empty((await resync.ReadAsync<SyncResult>()).Errors);
        }

        var pending = await (await agent.GetAsync("/api/v1/clusters/api-embedded/pending")).ReadAsync<PendingPod[]>();
        Assert.Equal(["web-0", "web-1"], pending.Select(p => p.Name).Order(StringComparer.Ordinal));

        // What the contract writes (and the agent sends): the object itself, not an escaped string.
        var written = System.Text.Json.JsonSerializer.SerializeToElement(new ClusterSnapshot("s", 0, [ApiJson.PendingPod("web-2")]),
            new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        var json = written.GetProperty("objects")[0].GetProperty("json");
        Assert.Equal(System.Text.Json.JsonValueKind.Object, json.ValueKind);
        Assert.Equal("web-2", json.GetProperty("metadata").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Fleet_views_answer_for_read_tokens()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("api-fleet");
        using var read = silo.CreateClient(KarpoSiloFactory.ReadToken);

        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync("/api/v1/capacity?groupBy=region,zone")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync("/api/v1/capacity")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync("/api/v1/nodeclaims")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync("/api/v1/pending")).StatusCode);
        var cost = await (await read.GetAsync("/api/v1/cost")).ReadAsync<FleetCost>();
        Assert.Contains(cost.Clusters, c => c.ClusterId == "api-fleet");
    }

    [Fact]
    public async Task Spend_caps_and_quotas_are_set_by_admin()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("api-caps");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutJsonAsync("/api/v1/clusters/api-caps/spend-cap", new SpendCapRequest(3.25))).StatusCode);
        var status = await (await admin.GetAsync("/api/v1/clusters/api-caps")).ReadAsync<ClusterStatus>();
        Assert.Equal(3.25, status.SpendCapPerHour);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutJsonAsync("/api/v1/fleet/spend-cap", new SpendCapRequest(1000))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync("/api/v1/quotas/simulated/111122223333/us-east-1/standard", ApiJson.Raw("""{"vcpus":512}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutJsonAsync("/api/v1/clusters/api-caps-nobody/spend-cap", new SpendCapRequest(1))).StatusCode);

        // Leave the fleet uncapped for the other tests.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutJsonAsync("/api/v1/fleet/spend-cap", new SpendCapRequest(null))).StatusCode);
    }
}
