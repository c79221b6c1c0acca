using System.Net;
using System.Text.Json;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>The unauthenticated endpoints (probes, Prometheus metrics, OpenAPI) and the admin-only dashboard.</summary>
[Collection(ApiCollection.Name)]
public sealed class ServiceEndpointTests(KarpoSiloFactory silo)
{
    [Fact]
    public async Task Healthz_answers_200_without_a_token()
    {
        using var client = silo.CreateClient(token: null);
        using var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Every_probe_answers_200_without_a_token_and_readyz_again_after_its_own_write()
    {
        using var client = silo.CreateClient(token: null);
        foreach (var path in new[] { "/livez", "/readyz", "/readyz", "/healthz" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task Metrics_answer_prometheus_text_without_a_token()
    {
        using var client = silo.CreateClient(token: null);

        // Something to count first: the exporter only prints instruments that have measurements.
        (await client.GetAsync("/healthz")).Dispose();
        using var response = await client.GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE ", body, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grain_metrics_come_out_under_their_documented_prometheus_names()
    {
        var cluster = new KeyValuePair<string, object?>("cluster", "metrics-names");
        KarpoTelemetry.NodeClaimsCreated.Add(1, cluster);
        KarpoTelemetry.ProvisioningAttempts.Add(1, cluster);
        KarpoTelemetry.PodsStartupDuration.Record(1.5, cluster);
        KarpoTelemetry.SchedulingDuration.Record(0.25, cluster);

        using var client = silo.CreateClient(token: null);

        // The exporter serves a cached scrape for a moment, and other tests of this process record the same
        // instruments: wait for a scrape that has every series this test recorded.
        string[] wanted = [$"{MetricNames.NodeClaimsCreated}{{", $"{MetricNames.ProvisioningAttempts}{{", $"{MetricNames.PodsStartupDuration}_bucket{{", $"{MetricNames.SchedulingDuration}_count{{"];
        var body = string.Empty;
        for (var attempt = 0; attempt < 40 && !wanted.All(w => body.Contains(w, StringComparison.Ordinal)); attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 250);
            body = await client.GetStringAsync("/metrics");
        }

        var ours = string.Join('\n', body.Split('\n').Where(l => l.StartsWith("karp", StringComparison.Ordinal)));
        Assert.True(body.Contains($"{MetricNames.NodeClaimsCreated}{{", StringComparison.Ordinal), ours);
        Assert.Contains($"{MetricNames.NodeClaimsCreated}{{", body, StringComparison.Ordinal);
        Assert.Contains($"{MetricNames.ProvisioningAttempts}{{", body, StringComparison.Ordinal);
        Assert.Contains($"{MetricNames.PodsStartupDuration}_bucket{{", body, StringComparison.Ordinal);
        Assert.Contains($"{MetricNames.SchedulingDuration}_count{{", body, StringComparison.Ordinal);
        Assert.DoesNotContain("_total_total", body, StringComparison.Ordinal);
        Assert.DoesNotContain("_seconds_seconds", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Openapi_document_lists_every_route()
    {
        using var client = silo.CreateClient(token: null);
        using var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        string[] expected =
        [
            "/api/v1/clusters", "/api/v1/clusters/{clusterId}", "/api/v1/clusters/{clusterId}/spend-cap",
            "/api/v1/clusters/{clusterId}/state", "/api/v1/clusters/{clusterId}/deltas", "/api/v1/clusters/{clusterId}/pending",
            "/api/v1/clusters/{clusterId}/nodeclaims", "/api/v1/clusters/{clusterId}/nodepools", "/api/v1/capacity",
            "/api/v1/clusters/{clusterId}/nodeclasses", "/api/v1/clusters/{clusterId}/nodeclasses/{name}",
            "/api/v1/clusters/{clusterId}/commands", "/api/v1/clusters/{clusterId}/commands/acks",
            "/api/v1/clusters/{clusterId}/nodeclaims/{nodeClaim}", "/api/v1/clusters/{clusterId}/disruptions",
            "/api/v1/nodeclaims", "/api/v1/pending", "/api/v1/cost", "/api/v1/fleet/spend-cap",
            "/api/v1/quotas/{provider}/{account}/{region}/{quotaCode}",
        ];
        foreach (var path in expected)
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");
        }

        // Bodies the handlers read themselves are still described.
        var register = paths.GetProperty("/api/v1/clusters").GetProperty("post");
        Assert.True(register.TryGetProperty("requestBody", out _), "POST /api/v1/clusters has no request body in the document");
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("not-a-token", HttpStatusCode.Unauthorized)]
    [InlineData(KarpoSiloFactory.ReadToken, HttpStatusCode.Forbidden)]
    [InlineData(KarpoSiloFactory.AdminToken, HttpStatusCode.OK)]
    public async Task Dashboard_is_served_to_the_admin_token_only(string? token, HttpStatusCode expected)
    {
        using var client = silo.CreateClient(token);
        using var response = await client.GetAsync("/dashboard/");
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_route_answers_an_api_error()
    {
        using var client = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var response = await client.GetAsync("/api/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await response.ReadErrorAsync()).Error));
    }
}
