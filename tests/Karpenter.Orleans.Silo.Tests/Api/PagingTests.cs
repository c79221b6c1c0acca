using System.Net;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>
/// List routes answer pages (<c>?limit=</c>, <c>?continue=</c> and the Karpo-Continue header), and a walk over
/// the pages returns every item exactly once (issue 8, "Open doors": 11.7 MB in one answer for 50,000 pods).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PagingTests(KarpoSiloFactory silo)
{
    [Fact]
    public async Task Pending_pods_walked_page_by_page_come_out_each_exactly_once()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var names = await admin.RegisterWithPendingPodsAsync("page-pending", 1234);
        using var read = silo.CreateClient(KarpoSiloFactory.ReadToken);

        var cluster = await read.WalkAsync<PendingPod>("/api/v1/clusters/page-pending/pending?limit=100");
        Assert.Equal(13, cluster.Count);
        Assert.All(cluster.Take(12), page => Assert.Equal(100, page.Length));
        Assert.Equal(names.Order(StringComparer.Ordinal), cluster.SelectMany(p => p).Select(p => p.Name).Order(StringComparer.Ordinal));

        var fleet = await read.WalkAsync<FleetPendingPod>("/api/v1/pending?cluster=page-pending&limit=333");
        Assert.Equal(4, fleet.Count);
        Assert.Equal(names.Order(StringComparer.Ordinal), fleet.SelectMany(p => p).Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(fleet.SelectMany(p => p), p => Assert.Equal("page-pending", p.ClusterId));

        // Fleet-wide, with other tests' clusters in it too: no pod twice, and all of ours.
        var everything = (await read.WalkAsync<FleetPendingPod>("/api/v1/pending?limit=250")).SelectMany(p => p).ToArray();
        Assert.Equal(everything.Length, everything.Select(p => (p.ClusterId, p.Namespace, p.Name)).Distinct().Count());
        Assert.Equal(names.Length, everything.Count(p => p.ClusterId == "page-pending"));
    }

    [Fact]
    public async Task Pods_deleted_and_added_during_a_walk_leave_every_other_pod_served_exactly_once()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var names = await admin.RegisterWithPendingPodsAsync("page-churn", 300);
        using var read = silo.CreateClient(KarpoSiloFactory.ReadToken);

        using var first = await read.GetAsync("/api/v1/clusters/page-churn/pending?limit=100");
        var served = (await first.ReadAsync<PendingPod[]>()).Select(p => p.Name).ToList();
        var token = Assert.Single(first.Headers.GetValues(PagedLists.ContinueHeader));

        // Between pages: one pod already served and one not yet served go away, a new one arrives.
        var gone = served[10];
        var neverServed = names.Except(served, StringComparer.Ordinal).First();
        var upsert = ApiJson.PendingPod("zz-late");
        var batch = new DeltaBatch("session-1",
        [
            new ObjectDelta(names.Length + 1, DeltaType.Delete, ObjectKind.Pod, "default", gone),
            new ObjectDelta(names.Length + 2, DeltaType.Delete, ObjectKind.Pod, "default", neverServed),
            new ObjectDelta(names.Length + 3, DeltaType.Upsert, ObjectKind.Pod, "default", "zz-late", upsert.Json),
        ]);
        using (var applied = await admin.PostJsonAsync("/api/v1/clusters/page-churn/deltas", batch))
        {
            Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        }

        var rest = await read.WalkAsync<PendingPod>("/api/v1/clusters/page-churn/pending?limit=100", token);
        served.AddRange(rest.SelectMany(p => p).Select(p => p.Name));

        Assert.Equal(served.Count, served.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(neverServed, served);
        var stayed = names.Where(n => n != gone && n != neverServed);
        Assert.Superset(stayed.ToHashSet(StringComparer.Ordinal), served.ToHashSet(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Without_a_limit_a_page_holds_500_and_says_where_to_continue()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterWithPendingPodsAsync("page-default", 501);
        using var read = silo.CreateClient(KarpoSiloFactory.ReadToken);

        using var first = await read.GetAsync("/api/v1/clusters/page-default/pending");
        Assert.Equal(500, (await first.ReadAsync<PendingPod[]>()).Length);
        var token = Assert.Single(first.Headers.GetValues(PagedLists.ContinueHeader));

        using var last = await read.GetAsync($"/api/v1/clusters/page-default/pending?continue={Uri.EscapeDataString(token)}");
        Assert.Single(await last.ReadAsync<PendingPod[]>());
        Assert.False(last.Headers.Contains(PagedLists.ContinueHeader));
    }

    [Fact]
    public async Task Clusters_and_node_claims_are_paged_too()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        foreach (var id in new[] { "page-c-1", "page-c-2", "page-c-3" })
        {
            await admin.RegisterAsync(id);
        }

        using var read = silo.CreateClient(KarpoSiloFactory.ReadToken);
        var pages = await read.WalkAsync<ClusterStatus>("/api/v1/clusters?limit=1");
        var ids = pages.SelectMany(p => p).Select(c => c.ClusterId).ToArray();
        Assert.All(pages, page => Assert.Single(page));
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Superset(new HashSet<string> { "page-c-1", "page-c-2", "page-c-3" }, ids.ToHashSet());

        var claims = await read.WalkAsync<NodeClaimInfo>("/api/v1/nodeclaims?limit=7");
        var claimKeys = claims.SelectMany(p => p).Select(c => (c.ClusterId, c.Name)).ToArray();
        Assert.Equal(claimKeys.Length, claimKeys.Distinct().Count());
        Assert.Single(await read.WalkAsync<NodeClaimInfo>("/api/v1/clusters/page-c-1/nodeclaims?limit=5000"));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=5001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=1&limit=2", "limit")]
    [InlineData("continue=not-a-token", "continue")]
    [InlineData("continue=eyJMIjoiY2x1c3RlcnMiLCJLIjpbImEiXX0", "continue")]
    public async Task A_bad_limit_or_continue_token_is_400_naming_it(string query, string field)
    {
        using var read = silo.CreateClient(KarpoSiloFactory.ReadToken);
        using var response = await read.GetAsync($"/api/v1/pending?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.ReadErrorAsync()).Field);
    }
}
