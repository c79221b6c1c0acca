using System.Net;
using System.Net.Http.Headers;
using Karpenter.Orleans.Silo.Auth;
using Karpenter.Orleans.Silo.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>
/// A flood of bad tokens is throttled per client and costs no grain call per request, while the real users'
/// tokens keep working (issue 8, "Open doors": 2,000 bad-token requests ran with no 429 and a fleet call each).
/// Caches and windows are set to an hour, so nothing here depends on how fast the requests run.
/// </summary>
public sealed class FailedAuthenticationTests
{
    private const int Allowance = 5;

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Karpo:Auth:FailedAttemptsPerClient"] = Allowance.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Karpo:Auth:FailedAttemptsWindowSeconds"] = "3600",
        ["Karpo:Auth:FailedTokenCacheSeconds"] = "3600",
        ["Karpo:Auth:AgentTokenCacheSeconds"] = "3600",
        ["Karpo:Dashboard:Enabled"] = "false",
    };

    [Fact]
    public async Task Past_its_allowance_a_client_gets_429_while_valid_tokens_and_other_clients_still_work()
    {
        await using var factory = new ConfiguredSiloFactory(Settings);
        await using var silo = WithClientAddresses(factory);
        using var admin = Client(silo, "10.0.0.9", KarpoSiloFactory.AdminToken);
        var agentToken = await admin.RegisterAsync("throttle-a");
        using (var primed = await Client(silo, "10.0.0.1", agentToken).GetAsync("/api/v1/clusters/throttle-a"))
        {
            Assert.Equal(HttpStatusCode.OK, primed.StatusCode);
        }

        var cache = silo.Services.GetRequiredService<AgentTokenCache>();
        for (var i = 0; i < Allowance; i++)
        {
            using var bad = await Client(silo, "10.0.0.1", $"karpo_agent_bad-{i}").GetAsync("/api/v1/clusters");
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        }

        var lookupsWhenExhausted = cache.FleetLookups;
        for (var i = 0; i < 20; i++)
        {
            using var throttled = await Client(silo, "10.0.0.1", $"karpo_agent_more-{i}").GetAsync("/api/v1/clusters");
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without a positive Retry-After");
            Assert.Equal("authorization", (await throttled.ReadErrorAsync()).Field);
        }

        // A throttled client's unknown tokens are not even looked up.
        Assert.Equal(lookupsWhenExhausted, cache.FleetLookups);

        // The real tokens still work from the throttled address: admin, read, and the agent the silo knows.
        Assert.Equal(HttpStatusCode.OK, (await Client(silo, "10.0.0.1", KarpoSiloFactory.AdminToken).GetAsync("/api/v1/clusters")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client(silo, "10.0.0.1", KarpoSiloFactory.ReadToken).GetAsync("/api/v1/cost")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client(silo, "10.0.0.1", agentToken).GetAsync("/api/v1/clusters/throttle-a")).StatusCode);

        // Another client is counted on its own.
        using var other = await Client(silo, "10.0.0.2", "karpo_agent_bad-0").GetAsync("/api/v1/clusters");
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);

        // A malformed header counts as a failure the same way.
        using var malformed = Client(silo, "10.0.0.1", token: null);
        malformed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "eDp5");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await malformed.GetAsync("/api/v1/clusters")).StatusCode);
    }

    [Fact]
    public async Task A_repeated_unknown_token_costs_one_fleet_lookup_not_one_per_request()
    {
        await using var factory = new ConfiguredSiloFactory(new Dictionary<string, string?>(Settings) { ["Karpo:Auth:FailedAttemptsPerClient"] = "1000" });
        await using var silo = WithClientAddresses(factory);
        var cache = silo.Services.GetRequiredService<AgentTokenCache>();
        using var admin = Client(silo, "10.0.1.9", KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("miss-cache");

        var before = cache.FleetLookups;
        using var stranger = Client(silo, "10.0.1.1", "karpo_agent_not-registered");
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/v1/clusters/miss-cache")).StatusCode);
        }

        Assert.Equal(before + 1, cache.FleetLookups);

        // A token issued after all that works at once: it was never looked up, so never cached as unknown.
        var fresh = await admin.RegisterAsync("miss-cache-2");
        Assert.Equal(HttpStatusCode.OK, (await Client(silo, "10.0.1.1", fresh).GetAsync("/api/v1/clusters/miss-cache-2")).StatusCode);
        Assert.Equal(before + 2, cache.FleetLookups);
    }

    private static WebApplicationFactory<Program> WithClientAddresses(KarpoSiloFactory factory) =>
        factory.WithWebHostBuilder(builder => builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, TestClientAddress>()));

    private static HttpClient Client(WebApplicationFactory<Program> silo, string address, string? token)
    {
        var client = silo.CreateClient();
        client.DefaultRequestHeaders.Add(TestClientAddress.Header, address);
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}
