using System.Net;
using Karpenter.Orleans.Silo.Tests.Api;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Console;

/// <summary>The console's session without a browser: what a script or another site can and cannot do with it.</summary>
[Collection(ApiCollection.Name)]
public sealed class ConsoleSessionTests(KarpoSiloFactory silo)
{
    [Fact]
    public async Task A_console_page_answers_401_to_an_api_client_and_redirects_a_browser_to_the_sign_in()
    {
        using var client = silo.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/nodeclaims")).StatusCode);

        using var browser = new HttpRequestMessage(HttpMethod.Get, "/nodeclaims");
        browser.Headers.Accept.ParseAdd("text/html");
        using var redirected = await client.SendAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        Assert.Equal("/login", redirected.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_cookie_opens_pages_for_read_and_admin_tokens_only_and_sign_out_needs_the_forms_antiforgery_token()
    {
        using var client = silo.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.OK, (await GetWithCookieAsync(client, "/pending", KarpoSiloFactory.ReadToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetWithCookieAsync(client, "/pending", KarpoSiloFactory.AdminToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetWithCookieAsync(client, "/pending", "not-a-token")).StatusCode);

        // A cross-site form post carries the cookie but not the page's antiforgery token: refused, the session stays.
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/logout") { Content = new FormUrlEncodedContent([]) };
        logout.Headers.Add("Cookie", $"karpo_console={KarpoSiloFactory.ReadToken}");
        using var refused = await client.SendAsync(logout);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.False(refused.Headers.TryGetValues("Set-Cookie", out _), "a refused sign-out must not touch the cookie");

        // The cookie only counts on console pages: it is no API credential.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetWithCookieAsync(client, "/api/v1/clusters", KarpoSiloFactory.AdminToken)).StatusCode);
    }

    [Fact]
    public async Task A_sign_in_posted_from_another_site_sets_no_cookie()
    {
        // Login CSRF: another site posts its own valid token so the victim's browser works in the attacker's session.
        // Without the form's antiforgery token the post is refused and no cookie is set.
        using var client = silo.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var login = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent([new("_handler", "login"), new("Token", KarpoSiloFactory.AdminToken)]),
        };
        using var refused = await client.SendAsync(login);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.False(refused.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("karpo_console=", StringComparison.Ordinal)),
            "a sign-in without the form's antiforgery token must not set the console cookie");
    }

    private static async Task<HttpResponseMessage> GetWithCookieAsync(HttpClient client, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", $"karpo_console={token}");
        return await client.SendAsync(request);
    }
}
