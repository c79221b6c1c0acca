using System.Net;
using Karpenter.Orleans.Silo.Tests.TestSupport;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>
/// The Orleans dashboard streams the silo's log and lists every cluster, so only the admin token opens it: by
/// header, or by the cookie its login form sets for a browser (issue 8, "Open doors").
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DashboardAccessTests(KarpoSiloFactory silo)
{
    [Fact]
    public async Task The_login_form_turns_the_admin_token_into_a_dashboard_cookie()
    {
        using var browser = silo.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        using (var form = await browser.GetAsync("/dashboard/login"))
        {
            Assert.Equal(HttpStatusCode.OK, form.StatusCode);
            Assert.Contains("name=\"token\"", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var wrong = await browser.PostAsync("/dashboard/login", Form(KarpoSiloFactory.ReadToken)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.False(wrong.Headers.Contains("Set-Cookie"));
        }

        using var login = await browser.PostAsync("/dashboard/login", Form(KarpoSiloFactory.AdminToken));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/dashboard/", login.Headers.Location?.OriginalString);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("karpo_dashboard=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/dashboard", cookie, StringComparison.OrdinalIgnoreCase);

        Assert.Equal(HttpStatusCode.OK, (await GetWithCookieAsync(browser, "/dashboard/", cookie.Split(';')[0])).StatusCode);
    }

    [Fact]
    public async Task A_browser_without_the_cookie_is_sent_to_the_login_form()
    {
        using var browser = silo.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        request.Headers.Add("Accept", "text/html,application/xhtml+xml");
        using var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard/login", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData(KarpoSiloFactory.ReadToken)]
    [InlineData("anything-else")]
    public async Task A_cookie_without_the_admin_token_does_not_open_the_dashboard(string token)
    {
        using var browser = silo.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var response = await GetWithCookieAsync(browser, "/dashboard/", $"karpo_dashboard={token}");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_dashboard_cookie_opens_nothing_outside_the_dashboard()
    {
        using var browser = silo.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var response = await GetWithCookieAsync(browser, "/api/v1/clusters", $"karpo_dashboard={KarpoSiloFactory.AdminToken}");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static FormUrlEncodedContent Form(string token) => new([new KeyValuePair<string, string>("token", token)]);

    private static async Task<HttpResponseMessage> GetWithCookieAsync(HttpClient client, string url, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }
}
