using System.Text.RegularExpressions;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Console.Components;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Karpenter.Orleans.Silo.Tests.Console;

/// <summary>A console table of thousands of rows renders one page of them, with links to the others that keep the filters.</summary>
public sealed partial class ConsoleTablePagingTests
{
    [Fact]
    public async Task A_NodeClaim_table_renders_one_page_and_links_to_its_neighbours_keeping_the_filters()
    {
        var claims = Enumerable.Range(0, 600)
            .Select(i => new NodeClaimInfo("fleet-000", $"claim-{i:D4}", "default", new NodeClaimStatus { Phase = NodeClaimPhase.Initialized }))
            .ToList();

        var html = await RenderAsync("http://console.test/nodeclaims?cluster=fleet&phase=initialized&page=2", new Dictionary<string, object?>
        {
            [nameof(NodeClaimTable.Claims)] = claims,
            [nameof(NodeClaimTable.Page)] = "2",
        });

        var rows = RowName().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(250, rows.Count);
        Assert.Equal("claim-0250", rows[0]);
        Assert.Equal("claim-0499", rows[^1]);
        Assert.Contains("251–500 of 600, page 2 of 3", html, StringComparison.Ordinal);

        var links = Link().Matches(html).ToDictionary(m => m.Groups[2].Value, m => m.Groups[1].Value);
        var previous = links["prev"];
        Assert.Contains("cluster=fleet", previous, StringComparison.Ordinal);
        Assert.DoesNotContain("page=", previous, StringComparison.Ordinal);
        var next = links["next"];
        Assert.Contains("page=3", next, StringComparison.Ordinal);
        Assert.Contains("phase=initialized", next, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_last_page_has_no_next_link_and_a_page_past_the_end_shows_the_last()
    {
        var claims = Enumerable.Range(0, 300)
            .Select(i => new NodeClaimInfo("fleet-000", $"claim-{i:D4}", "default", new NodeClaimStatus()))
            .ToList();

        var html = await RenderAsync("http://console.test/nodeclaims?page=9", new Dictionary<string, object?>
        {
            [nameof(NodeClaimTable.Claims)] = claims,
            [nameof(NodeClaimTable.Page)] = "9",
        });

        Assert.Equal(50, RowName().Matches(html).Count);
        Assert.DoesNotContain("rel=\"next\"", html, StringComparison.Ordinal);
        Assert.Contains("rel=\"prev\"", html, StringComparison.Ordinal);
    }

    private static async Task<string> RenderAsync(string uri, Dictionary<string, object?> parameters)
    {
        await using var services = new ServiceCollection()
            .AddSingleton<NavigationManager>(new FixedNavigation(uri))
            .BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<NodeClaimTable>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }

    [GeneratedRegex("data-nodeclaim=\"([^\"]+)\"")]
    private static partial Regex RowName();

    [GeneratedRegex("<a href=\"([^\"]+)\" rel=\"(prev|next)\"")]
    private static partial Regex Link();

    /// <summary>The page's address, as static rendering gives it to the components.</summary>
    private sealed class FixedNavigation : NavigationManager
    {
        public FixedNavigation(string uri) => Initialize(new Uri(new Uri(uri), "/").ToString(), uri);
    }
}
