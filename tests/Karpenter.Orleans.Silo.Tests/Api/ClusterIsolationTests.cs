using System.Net;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>An agent token opens its own cluster and nothing else.</summary>
[Collection(ApiCollection.Name)]
public sealed class ClusterIsolationTests(KarpoSiloFactory silo)
{
    [Fact]
    public async Task Agent_token_reads_and_writes_its_own_cluster_only()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var tokenA = await admin.RegisterAsync("iso-a");
        await admin.RegisterAsync("iso-b");
        using var agentA = silo.CreateClient(tokenA);

        // Its own cluster: write and read.
        using (var own = await agentA.PutJsonAsync("/api/v1/clusters/iso-a/state", ApiJson.Snapshot(ApiJson.PendingPod("web-0"))))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        foreach (var url in new[] { "/api/v1/clusters/iso-a", "/api/v1/clusters/iso-a/pending", "/api/v1/clusters/iso-a/nodeclaims", "/api/v1/clusters/iso-a/nodepools", "/api/v1/clusters/iso-a/nodeclasses", "/api/v1/nodeclaims?cluster=iso-a", "/api/v1/pending?cluster=iso-a" })
        {
            using var read = await agentA.GetAsync(url);
            Assert.True(read.StatusCode == HttpStatusCode.OK, $"{url}: {(int)read.StatusCode}");
        }

        // Cluster B: neither write nor read.
        using (var write = await agentA.PutJsonAsync("/api/v1/clusters/iso-b/state", ApiJson.Snapshot(ApiJson.PendingPod("evil-0"))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        }

        using (var deltas = await agentA.PostJsonAsync("/api/v1/clusters/iso-b/deltas", new DeltaBatch("s", [])))
        {
            Assert.Equal(HttpStatusCode.Forbidden, deltas.StatusCode);
        }

        foreach (var url in new[] { "/api/v1/clusters/iso-b", "/api/v1/clusters/iso-b/pending", "/api/v1/clusters/iso-b/nodeclaims", "/api/v1/clusters/iso-b/nodepools", "/api/v1/clusters/iso-b/nodeclasses", "/api/v1/nodeclaims?cluster=iso-b", "/api/v1/pending?cluster=iso-b" })
        {
            using var read = await agentA.GetAsync(url);
            Assert.True(read.StatusCode == HttpStatusCode.Forbidden, $"{url}: {(int)read.StatusCode}");
        }

        // Fleet-wide views and admin routes are not an agent's business.
        // Naming its own cluster in the query does not open a fleet-wide view either.
        foreach (var url in new[] { "/api/v1/clusters", "/api/v1/capacity", "/api/v1/cost", "/api/v1/nodeclaims", "/api/v1/pending",
                     "/api/v1/clusters?cluster=iso-a", "/api/v1/capacity?cluster=iso-a", "/api/v1/cost?cluster=iso-a", "/api/v1/capacity?groupBy=cluster&cluster=iso-a" })
        {
            using var read = await agentA.GetAsync(url);
            Assert.True(read.StatusCode == HttpStatusCode.Forbidden, $"{url}: {(int)read.StatusCode}");
        }

        using (var cap = await agentA.PutJsonAsync("/api/v1/clusters/iso-a/spend-cap", new SpendCapRequest(1)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, cap.StatusCode);
        }

        // B never saw A's write.
        var b = await (await admin.GetAsync("/api/v1/clusters/iso-b")).ReadAsync<ClusterStatus>();
        Assert.Equal(0, b.Pods);
    }

    [Fact]
    public async Task Re_registering_a_cluster_retires_its_old_agent_token()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var first = await admin.RegisterAsync("iso-rotate");
        using (var agent = silo.CreateClient(first))
        using (var before = await agent.GetAsync("/api/v1/clusters/iso-rotate"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var second = await admin.RegisterAsync("iso-rotate");
        Assert.NotEqual(first, second);
        using (var agent = silo.CreateClient(first))
        using (var after = await agent.GetAsync("/api/v1/clusters/iso-rotate"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        }

        using (var agent = silo.CreateClient(second))
        using (var current = await agent.GetAsync("/api/v1/clusters/iso-rotate"))
        {
            Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        }
    }

    [Fact]
    public async Task Unregistered_cluster_token_stops_working()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var token = await admin.RegisterAsync("iso-gone");
        using (var removed = await admin.DeleteAsync("/api/v1/clusters/iso-gone"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        using var agent = silo.CreateClient(token);
        using var response = await agent.GetAsync("/api/v1/clusters/iso-gone");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        using var again = await admin.DeleteAsync("/api/v1/clusters/iso-gone");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }
}
