using System.Text.Json;
using Karpenter.Orleans.Silo.Tests.TestSupport;
using Microsoft.Playwright;

namespace Karpenter.Orleans.Silo.Tests.Console;

/// <summary>
/// The fleet console in a real browser (Debian's chromium through Playwright; nothing is downloaded)
/// against a silo running its simulated fleet. Each page's screenshot is kept in
/// <c>.test-results/console-screenshots/</c>.
/// </summary>
public sealed class ConsoleBrowserTests(ConsoleSilo silo) : IClassFixture<ConsoleSilo>, IAsyncLifetime
{
    /// <summary>
    /// Kept with the test results (.test-results/ of the checkout, beside the TRX files), so they outlive the build
    /// folder; KARPO_TEST_SCREENSHOTS names another folder.
    /// </summary>
    private static readonly string Screenshots = Environment.GetEnvironmentVariable("KARPO_TEST_SCREENSHOTS") is { Length: > 0 } folder
        ? folder
        : Path.Combine(Operations.OpsFiles.Root, ".test-results", "console-screenshots");

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("KARPO_TEST_CHROMIUM") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"no browser at {chromium}: scripts/test.sh installs Debian's chromium package (or set KARPO_TEST_CHROMIUM)");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
        Directory.CreateDirectory(Screenshots);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    [Fact]
    public async Task Without_a_token_only_the_sign_in_shows_and_a_wrong_token_is_refused()
    {
        var page = await NewPageAsync();
        await GotoAsync(page, silo.BaseUrl + "/nodeclaims");

        Assert.EndsWith("/login", page.Url, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("table").CountAsync());
        Assert.Equal(0, await page.Locator("header").CountAsync());

        await page.FillAsync("#token", "not-a-token");
        await SubmitLoginAsync(page);
        Assert.EndsWith("/login", page.Url, StringComparison.Ordinal);
        Assert.Contains("not a read or admin token", await page.InnerTextAsync("#login-error"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("table").CountAsync());
        await page.ScreenshotAsync(new() { Path = Shot("login") });

        // An agent's own credential is not a console credential.
        using var admin = silo.Factory.CreateClient(KarpoSiloFactory.AdminToken);
        var agentToken = await admin.RegisterAsync("console-agent");
        await page.FillAsync("#token", agentToken);
        await SubmitLoginAsync(page);
        Assert.EndsWith("/login", page.Url, StringComparison.Ordinal);
        Assert.Contains("not a read or admin token", await page.InnerTextAsync("#login-error"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_page_renders_the_running_fleet_and_a_chart_draws()
    {
        var page = await SignedInPageAsync(KarpoSiloFactory.ReadToken);

        // The fleet page: the simulated fleet's clusters, and a cost line once samples exist.
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#clusters tbody tr').length >= 3", null, new() { Timeout = 60_000 });
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#chart-cost svg polyline').length > 0", null, new() { Timeout = 60_000, PollingInterval = 500 });
        // A cluster of the simulated fleet (other tests register empty ones): the first with NodeClaims.
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#clusters tbody tr')].some(r => +r.cells[4].innerText > 0)", null, new() { Timeout = 60_000, PollingInterval = 500 });
        await page.ScreenshotAsync(new() { Path = Shot("fleet"), FullPage = true });

        // Spend against the caps: the fleet's cap in its card and as the chart's dashed line, a cluster's in its row.
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"/ ${ConsoleSilo.FleetCap:0.000}/h"), await page.InnerTextAsync(".cards"), StringComparison.Ordinal);
        Assert.True(await page.Locator("#chart-cost svg [stroke-dasharray], #chart-cost svg [style*='stroke-dasharray']").CountAsync() > 0, "the fleet spend cap is not drawn on the cost chart");
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"${ConsoleSilo.OpsClusterCap:0.000}/h"), await page.InnerTextAsync($"#clusters tr:has(a:text-is('{ConsoleSilo.OpsCluster}'))"), StringComparison.Ordinal);

        // Each cluster says how fresh its row is (the page reads the silo's snapshot, not the clusters).
        Assert.Contains("clusters, as of", await page.InnerTextAsync("#freshness"), StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => [...document.querySelectorAll('#clusters tbody tr')].some(r => r.cells[r.cells.length - 1].innerText.endsWith(' ago'))"),
            "no cluster row says how old its answer is");
        var firstCluster = await page.EvaluateAsync<string>("() => [...document.querySelectorAll('#clusters tbody tr')].find(r => +r.cells[4].innerText > 0).cells[0].innerText");

        await GotoAsync(page, $"{silo.BaseUrl}/clusters/{firstCluster}");
        Assert.Contains(firstCluster, await page.InnerTextAsync("h1"), StringComparison.Ordinal);
        Assert.True(await page.Locator("#nodepools tbody tr").CountAsync() >= 1, "no NodePool row");
        Assert.Equal(1, await page.Locator("#chart-cost svg").CountAsync());
        Assert.True(await page.Locator("table.nodeclaims tbody tr").CountAsync() >= 1, "the cluster page lists no NodeClaim");
        await page.ScreenshotAsync(new() { Path = Shot("cluster"), FullPage = true });

        // Disruption decisions: every node of the cluster with what the planner would do or what keeps it.
        await page.ClickAsync("#disruption-link");
        await page.WaitForURLAsync($"**/clusters/{firstCluster}/disruption");
        var decisions = page.Locator("#decisions tbody tr");
        Assert.True(await decisions.CountAsync() >= 1, "no disruption decision row");
        var decision = await decisions.First.Locator("td").Nth(6).InnerTextAsync();
        Assert.Contains(decision, new[] { "delete", "replace", "blocked", "none" });
        Assert.False(string.IsNullOrWhiteSpace(await decisions.First.Locator("td").Nth(8).InnerTextAsync()), "a decision without its reason");
        Assert.Equal(0, await page.Locator("meta[http-equiv=refresh]").CountAsync());
        await page.ScreenshotAsync(new() { Path = Shot("disruption"), FullPage = true });

        // NodeClaims of the whole fleet with their phase and age.
        Assert.Equal(200, (await GotoAsync(page, $"{silo.BaseUrl}/nodeclaims"))!.Status);
        Assert.Equal("NodeClaims", await page.InnerTextAsync("h1"));
        var claim = page.Locator("table.nodeclaims tbody tr").First;
        Assert.Matches("^(pending|launched|registered|initialized|drifted|disrupting|draining|terminating|terminated)$", await claim.Locator("td").Nth(3).InnerTextAsync());
        Assert.Matches("^[0-9]+[smhd]$", await claim.Locator("td").Nth(9).InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Shot("nodeclaims"), FullPage = true });

        // The pod no instance type fits waits with its reason.
        await GotoAsync(page, $"{silo.BaseUrl}/pending");
        Assert.Equal("Pending pods", await page.InnerTextAsync("h1"));
        await page.WaitForFunctionAsync($"() => [...document.querySelectorAll('table.pending tbody tr')].some(r => r.cells[0].innerText === '{ConsoleSilo.OpsCluster}' && r.cells[2].innerText === '{ConsoleSilo.HugePod}' && r.cells[5].innerText.length > 0)",
            null, new() { Timeout = 30_000, PollingInterval = 500 });
        await page.ScreenshotAsync(new() { Path = Shot("pending"), FullPage = true });

        Assert.Equal(200, (await GotoAsync(page, $"{silo.BaseUrl}/capacity"))!.Status);
        Assert.Equal("Quotas and spot interruptions", await page.InnerTextAsync("h1"));
        Assert.True(await page.Locator("#quotas tbody tr").CountAsync() >= 1, "no quota ledger line");
        Assert.True(await page.Locator("#spot-rates tbody tr").CountAsync() >= 1, "no spot pool line");
        Assert.DoesNotContain(int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.InnerTextAsync("#quotas"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Shot("capacity"), FullPage = true });
    }

    [Fact]
    public async Task No_page_loads_anything_from_another_host()
    {
        var page = await SignedInPageAsync(KarpoSiloFactory.ReadToken);
        var elsewhere = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(silo.BaseUrl, StringComparison.Ordinal))
            {
                elsewhere.Add(request.Url);
            }
        };
        foreach (var path in new[] { "/", "/nodeclaims", "/pending", "/capacity", $"/clusters/{ConsoleSilo.OpsCluster}", $"/clusters/{ConsoleSilo.OpsCluster}/disruption" })
        {
            Assert.Equal(200, (await GotoAsync(page, silo.BaseUrl + path))!.Status);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }

        Assert.Empty(elsewhere);
    }

    [Fact]
    public async Task A_NodeClaim_list_updates_by_itself_when_a_claim_is_deleted()
    {
        var page = await SignedInPageAsync(KarpoSiloFactory.ReadToken);
        using var read = silo.Factory.CreateClient(KarpoSiloFactory.ReadToken);
        var (cluster, claim) = await InitializedClaimAsync(read);
        await GotoAsync(page, $"{silo.BaseUrl}/nodeclaims?cluster={cluster}&phase=initialized");

        // The page shows the silo's fleet snapshot, read every second: the claim the API just answered appears by the next reloads.
        await page.WaitForFunctionAsync($"() => document.querySelectorAll(\"tr[data-nodeclaim='{claim}']\").length === 1", null, new() { Timeout = 30_000, PollingInterval = 500 });

        using var admin = silo.Factory.CreateClient(KarpoSiloFactory.AdminToken);
        using (var deleted = await admin.DeleteAsync($"/api/v1/clusters/{cluster}/nodeclaims/{claim}"))
        {
            Assert.True(deleted.IsSuccessStatusCode, $"DELETE {cluster}/{claim}: {deleted.StatusCode}");
        }

        // No navigation by the test: the page reloads itself and the claim leaves the "initialized" filter.
        await page.WaitForFunctionAsync($"() => document.querySelectorAll(\"tr[data-nodeclaim='{claim}']\").length === 0", null, new() { Timeout = 30_000, PollingInterval = 500 });
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var page = await SignedInPageAsync(KarpoSiloFactory.AdminToken);
        Assert.Contains("admin", await page.InnerTextAsync("header"), StringComparison.Ordinal);
        await page.ClickAsync("header button[type=submit]");
        await page.WaitForURLAsync("**/login");
        await GotoAsync(page, silo.BaseUrl + "/");
        Assert.EndsWith("/login", page.Url, StringComparison.Ordinal);
    }

    private static string Shot(string page) => Path.Combine(Screenshots, page + ".png");

    /// <summary>
    /// Navigates, trying again when the page's own meta refresh started a navigation at the same moment
    /// (every console page reloads itself; Playwright then reports the test's navigation as interrupted).
    /// </summary>
    private static async Task<IResponse?> GotoAsync(IPage page, string url)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await page.GotoAsync(url);
            }
            catch (PlaywrightException e) when (attempt < 5 && (e.Message.Contains("interrupted by another navigation", StringComparison.Ordinal) || e.Message.Contains("net::ERR_ABORTED", StringComparison.Ordinal)))
            {
                await page.WaitForLoadStateAsync(LoadState.Load);
            }
        }
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 768 } });
        return await context.NewPageAsync();
    }

    private async Task<IPage> SignedInPageAsync(string token)
    {
        var page = await NewPageAsync();
        await GotoAsync(page, silo.BaseUrl + "/login");
        await page.FillAsync("#token", token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(silo.BaseUrl + "/");
        return page;
    }

    /// <summary>Posts the sign-in form and waits for the page the answer renders.</summary>
    private static async Task SubmitLoginAsync(IPage page)
    {
        await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/login", StringComparison.Ordinal));
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    private static async Task<(string Cluster, string Claim)> InitializedClaimAsync(HttpClient read)
    {
        for (var attempt = 0; attempt < 120; attempt++)
        {
            using var doc = JsonDocument.Parse(await read.GetStringAsync("/api/v1/nodeclaims"));
            foreach (var c in doc.RootElement.EnumerateArray())
            {
                if (string.Equals(c.GetProperty("phase").GetString(), "initialized", StringComparison.OrdinalIgnoreCase))
                {
                    return (c.GetProperty("clusterId").GetString()!, c.GetProperty("name").GetString()!);
                }
            }

            await Task.Delay(500);
        }

        Assert.Fail("no NodeClaim became initialized within a minute");
        return default;
    }
}
