using System.Net;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>
/// Admin bodies are held to their contract: a misspelt or missing field is a 400 naming it, never a silent
/// default (issue 8, "Silent misconfiguration"). Registration and quotas name a provider and a region that exist.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class StrictRequestTests(KarpoSiloFactory silo)
{
    [Theory]
    [InlineData("{}", "pricePerHour")]
    [InlineData("""{"price":5}""", "price")]
    [InlineData("""{"pricePerHour":5,"currency":"usd"}""", "currency")]
    [InlineData("""{"pricePerHour":-0}""", "pricePerHour")]
    [InlineData("""{"pricePerHour":-0.0}""", "pricePerHour")]
    [InlineData("""{"pricePerHour":-3}""", "pricePerHour")]
    public async Task A_cluster_cap_body_that_is_not_a_cap_is_400_and_the_cap_stays(string body, string field)
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("strict-cap");
        using (var set = await admin.PutJsonAsync("/api/v1/clusters/strict-cap/spend-cap", new SpendCapRequest(7.5)))
        {
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        }

        using var response = await admin.PutAsync("/api/v1/clusters/strict-cap/spend-cap", ApiJson.Raw(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadErrorAsync();
        Assert.Equal(field, error.Field);
        Assert.Contains(field, error.Error, StringComparison.Ordinal);
        Assert.Equal(7.5, (await (await admin.GetAsync("/api/v1/clusters/strict-cap")).ReadAsync<ClusterStatus>()).SpendCapPerHour);
    }

    [Fact]
    public async Task Only_an_explicit_null_removes_a_cluster_cap()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("strict-cap-null");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync("/api/v1/clusters/strict-cap-null/spend-cap", ApiJson.Raw("""{"pricePerHour":2}"""))).StatusCode);
        Assert.Equal(2, (await (await admin.GetAsync("/api/v1/clusters/strict-cap-null")).ReadAsync<ClusterStatus>()).SpendCapPerHour);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync("/api/v1/clusters/strict-cap-null/spend-cap", ApiJson.Raw("""{"pricePerHour":null}"""))).StatusCode);
        Assert.Null((await (await admin.GetAsync("/api/v1/clusters/strict-cap-null")).ReadAsync<ClusterStatus>()).SpendCapPerHour);
    }

    [Theory]
    [InlineData("""{"pricePerHour":-0}""", "pricePerHour")]
    [InlineData("{}", "pricePerHour")]
    [InlineData("""{"pricePerHuor":null}""", "pricePerHuor")]
    public async Task A_fleet_cap_body_that_is_not_a_cap_is_400_and_the_cap_stays(string body, string field)
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutJsonAsync("/api/v1/fleet/spend-cap", new SpendCapRequest(900))).StatusCode);
        try
        {
            using var response = await admin.PutAsync("/api/v1/fleet/spend-cap", ApiJson.Raw(body));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(field, (await response.ReadErrorAsync()).Field);
            Assert.Equal(900, (await (await admin.GetAsync("/api/v1/cost")).ReadAsync<FleetCost>()).SpendCapPerHour);
        }
        finally
        {
            (await admin.PutJsonAsync("/api/v1/fleet/spend-cap", new SpendCapRequest(null))).Dispose();
        }
    }

    [Theory]
    [InlineData("""{"clusterId":"strict-reg","provider":"simulated","region":"us-east-1","account":"1","regoin":"eu-west-1"}""", "regoin")]
    [InlineData("""{"clusterId":"strict-reg","provider":"simulated","region":"us-east-1","account":"1","spendCap":5}""", "spendCap")]
    [InlineData("""{"provider":"simulated","region":"us-east-1","account":"1"}""", "clusterId")]
    [InlineData("""{"clusterId":"strict-reg","provider":"simulated","region":"us-east-1","account":"1","spendCapPerHour":-0}""", "spendCapPerHour")]
    public async Task A_registration_with_an_unknown_or_missing_field_is_400_naming_it(string body, string field)
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var response = await admin.PostAsync("/api/v1/clusters", ApiJson.Raw(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.ReadErrorAsync()).Field);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/clusters/strict-reg")).StatusCode);
    }

    [Fact]
    public async Task A_region_the_provider_does_not_offer_is_refused_listing_the_ones_it_does()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var response = await admin.PostJsonAsync("/api/v1/clusters", new ClusterRegistration("strict-mars", "simulated", "mars-1", "111122223333"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadErrorAsync();
        Assert.Equal("region", error.Field);
        Assert.Contains("mars-1", error.Error, StringComparison.Ordinal);
        foreach (var offered in new[] { "us-east-1", "us-west-2", "eu-west-1" })
        {
            Assert.Contains(offered, error.Error, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/clusters/strict-mars")).StatusCode);
        using var read = silo.CreateClient(KarpoSiloFactory.ReadToken);
        var listed = await (await read.GetAsync("/api/v1/clusters")).ReadAsync<ClusterStatus[]>();
        Assert.DoesNotContain(listed, c => c.ClusterId == "strict-mars");
    }

    [Fact]
    public async Task An_offered_region_other_than_the_first_registers()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("strict-west", region: "us-west-2");
        Assert.Equal("us-west-2", (await (await admin.GetAsync("/api/v1/clusters/strict-west")).ReadAsync<ClusterStatus>()).Region);
    }

    [Theory]
    [InlineData("/api/v1/quotas/nope/111122223333/us-east-1/standard", "provider", "nope")]
    [InlineData("/api/v1/quotas/simulated/111122223333/mars-1/standard", "region", "mars-1")]
    public async Task A_quota_for_an_unconfigured_provider_or_region_is_400(string url, string field, string named)
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var response = await admin.PutAsync(url, ApiJson.Raw("""{"vcpus":64}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadErrorAsync();
        Assert.Equal(field, error.Field);
        Assert.Contains(named, error.Error, StringComparison.Ordinal);
        Assert.Contains("simulated", error.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"vcpus":64,"vcpu":1}""", "vcpu")]
    [InlineData("""{"vCPUs":64,"limit":1}""", "limit")]
    public async Task A_quota_body_with_an_unknown_field_is_400_naming_it(string body, string field)
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var response = await admin.PutAsync("/api/v1/quotas/simulated/111122223333/us-east-1/standard", ApiJson.Raw(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.ReadErrorAsync()).Field);
    }

    [Theory]
    [InlineData(1, """{"agentSession":"s","sequence":1,"objects":[],"extra":true}""", "extra")]
    [InlineData(2, """{"agentSession":"s","sequence":1,"objects":[{"kind":"pod","json":"{}","uid":"x"}]}""", "objects[0].uid")]
    [InlineData(3, """{"agentSession":"s","objects":[]}""", "sequence")]
    public async Task A_snapshot_envelope_with_an_unknown_or_missing_field_is_400_naming_it(int n, string body, string field)
    {
        var clusterId = $"strict-snap-{n}";
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync(clusterId);
        using var response = await admin.PutAsync($"/api/v1/clusters/{clusterId}/state", ApiJson.Raw(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.ReadErrorAsync()).Field);
    }

    [Theory]
    [InlineData("""{"agentSession":"s","deltas":[{"sequence":1,"type":"delete","kind":"pod","namespace":"default","name":"a","nmae":"b"}]}""", "deltas[0].nmae")]
    [InlineData("""{"agentSession":"s","deltas":[],"sequence":4}""", "sequence")]
    [InlineData("""{"agentSession":"s","deltas":[{"type":"delete","kind":"pod","namespace":"default","name":"a"}]}""", "deltas[0].sequence")]
    public async Task A_delta_envelope_with_an_unknown_or_missing_field_is_400_naming_it(string body, string field)
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("strict-deltas");
        using var response = await admin.PostAsync("/api/v1/clusters/strict-deltas/deltas", ApiJson.Raw(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.ReadErrorAsync()).Field);
    }

    [Fact]
    public async Task Unknown_fields_inside_kubernetes_objects_are_kept_tolerantly()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var token = await admin.RegisterAsync("strict-kube");
        using var agent = silo.CreateClient(token);

        // Kubernetes JSON grows fields all the time: an object's own unknown fields are not our envelope.
        var pod = ApiJson.PendingPod("tolerant");
        var withExtras = pod with { Json = pod.Json.Replace("\"status\":{", "\"futureField\":{\"x\":1},\"status\":{\"newCondition\":true,", StringComparison.Ordinal) };
        Assert.Contains("futureField", withExtras.Json, StringComparison.Ordinal);
        using var response = await agent.PutJsonAsync("/api/v1/clusters/strict-kube/state", ApiJson.Snapshot(withExtras));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await (await admin.GetAsync("/api/v1/clusters/strict-kube")).ReadAsync<ClusterStatus>()).Pods);
    }
}
