using System.Net;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>Who may call what, checked on routes that validate before they touch a grain.</summary>
[Collection(ApiCollection.Name)]
public sealed class AuthenticationTests(KarpoSiloFactory silo)
{
    [Theory]
    [InlineData("GET", "/api/v1/clusters")]
    [InlineData("GET", "/api/v1/capacity")]
    [InlineData("GET", "/api/v1/cost")]
    [InlineData("POST", "/api/v1/clusters")]
    [InlineData("PUT", "/api/v1/clusters/anything/state")]
    public async Task No_token_is_401_with_a_bearer_challenge(string method, string url)
    {
        using var client = silo.CreateClient(token: null);
        using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = ApiJson.Raw("{}") };
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Equal("authorization", (await response.ReadErrorAsync()).Field);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("test-admin-token-5b0f1e7c2")]
    [InlineData("test-admin-token-5b0f1e7c2dX")]
    public async Task Unknown_token_is_401(string token)
    {
        using var client = silo.CreateClient(token);
        using var response = await client.GetAsync("/api/v1/capacity?groupBy=zone");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task Basic_credentials_are_401()
    {
        using var client = silo.CreateClient(token: null);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", "YWRtaW46YWRtaW4=");
        using var response = await client.GetAsync("/api/v1/cost");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Read_token_cannot_register_a_cluster()
    {
        using var client = silo.CreateClient(KarpoSiloFactory.ReadToken);
        using var response = await client.PostJsonAsync("/api/v1/clusters", new ClusterRegistration("read-cannot", "simulated", "us-east-1", "1"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("authorization", (await response.ReadErrorAsync()).Field);
    }

    [Theory]
    [InlineData("PUT", "/api/v1/fleet/spend-cap", """{"pricePerHour":1}""")]
    [InlineData("PUT", "/api/v1/clusters/some-cluster/spend-cap", """{"pricePerHour":1}""")]
    [InlineData("DELETE", "/api/v1/clusters/some-cluster", null)]
    [InlineData("PUT", "/api/v1/quotas/simulated/111122223333/us-east-1/standard", """{"vcpus":10}""")]
    [InlineData("PUT", "/api/v1/clusters/some-cluster/state", """{"agentSession":"s","sequence":0,"objects":[]}""")]
    [InlineData("POST", "/api/v1/clusters/some-cluster/deltas", """{"agentSession":"s","deltas":[]}""")]
    public async Task Read_token_cannot_write(string method, string url, string? body)
    {
        using var client = silo.CreateClient(KarpoSiloFactory.ReadToken);
        using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = body is null ? null : ApiJson.Raw(body) };
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData(KarpoSiloFactory.ReadToken)]
    [InlineData(KarpoSiloFactory.AdminToken)]
    public async Task Read_and_admin_tokens_get_past_authorization_on_reads(string token)
    {
        // An unknown grouping key is refused by validation, which runs only once the caller is authorized.
        using var client = silo.CreateClient(token);
        using var response = await client.GetAsync("/api/v1/capacity?groupBy=region,colour");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadErrorAsync();
        Assert.Equal("groupBy", error.Field);
        Assert.Contains("colour", error.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_token_gets_past_authorization_on_writes()
    {
        using var client = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var response = await client.PutAsync("/api/v1/fleet/spend-cap", ApiJson.Raw("""{"pricePerHour":-1}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("pricePerHour", (await response.ReadErrorAsync()).Field);
    }
}
