using System.Text.RegularExpressions;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// <c>--watch</c> against the real silo: the list once, then only the objects that appeared, changed or went away. The
/// fleet is changed between polls by the handler the polls go through, and the watch is stopped after a set number of
/// polls, so what each poll sees is fixed and no test waits on a clock.
/// </summary>
[Collection(CliSiloCollection.Name)]
public sealed class FleetWatchTests(CliSiloFactory factory)
{
    [Fact]
    public async Task WatchPrintsTheTableThenTheRowsThatChange()
    {
        await factory.SeedAsync();
        const string id = "cli-watch-table";
        using var stop = new CancellationTokenSource();
        using var admin = factory.CreateClient(KarpoSiloFactory.AdminToken);
        var polls = new ScriptedPolls(factory.Server.CreateHandler(), "/api/v1/clusters", stop, new Dictionary<int, Func<Task>>
        {
            [2] = () => admin.RegisterAsync(id),
            [3] = async () => (await admin.PutJsonAsync($"/api/v1/clusters/{id}/spend-cap", new SpendCapRequest(5))).EnsureSuccessStatusCode(),
            [4] = async () => (await admin.DeleteAsync($"/api/v1/clusters/{id}")).EnsureSuccessStatusCode(),
        });
        using var karpo = Karpo(polls, stop);

        var run = karpo.Run("clusters", "--watch", "--interval", "10ms");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(5, polls.Count);
        var lines = run.StdoutLines;
        Assert.StartsWith("CLUSTER ", lines[0], StringComparison.Ordinal);
        Assert.Single(lines, l => l.StartsWith("CLUSTER ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("cli-prod ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => Regex.IsMatch(l, @"^\d+ clusters?:"));

        // Registered (no cap), capped, then removed: a removed object prints its last row, as kubectl's watch does.
        // A row wider than the first poll's widens its columns, as kubectl's watch does, so cells are read by gaps.
        var headers = Regex.Split(lines[0], @"\s{3,}");
        var mine = lines.Where(l => l.StartsWith(id + " ", StringComparison.Ordinal))
            .Select(l => headers.Zip(Regex.Split(l, @"\s{3,}")).ToDictionary(p => p.First, p => p.Second))
            .ToList();
        Assert.Equal(["-", "5.000", "5.000"], mine.Select(r => r["CAP $/H"]));
        Assert.All(mine, r => Assert.Equal(("simulated", "us-east-1"), (r["PROVIDER"], r["REGION"])));
    }

    [Fact]
    public async Task WatchWithNamesPrintsEachChangedObject()
    {
        await factory.SeedAsync();
        const string id = "cli-watch-name";
        using var stop = new CancellationTokenSource();
        using var admin = factory.CreateClient(KarpoSiloFactory.AdminToken);
        var polls = new ScriptedPolls(factory.Server.CreateHandler(), "/api/v1/clusters", stop, new Dictionary<int, Func<Task>>
        {
            [2] = () => admin.RegisterAsync(id, region: "eu-west-1"),
        });
        using var karpo = Karpo(polls, stop);

        var run = karpo.Run("clusters", "-w", "-o", "name", "--interval", "10ms");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("cluster/cli-prod", run.StdoutLines);
        Assert.Single(run.StdoutLines, l => l == $"cluster/{id}");
        Assert.All(run.StdoutLines, l => Assert.StartsWith("cluster/", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WatchYamlPrintsOneDocumentPerObject()
    {
        var fleet = await factory.SeedAsync();
        using var stop = new CancellationTokenSource();
        var polls = new ScriptedPolls(factory.Server.CreateHandler(), "/api/v1/nodeclaims", stop, []);
        using var karpo = Karpo(polls, stop);

        var run = karpo.Run("nodeclaims", "--cluster", fleet.Prod, "--watch", "-o", "yaml", "--interval", "10ms");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var documents = YamlJson.ReadAll(run.Stdout);
        Assert.NotEmpty(documents);
        Assert.All(documents, d => Assert.Equal(fleet.Prod, (string?)d!["clusterId"]));
    }

    [Fact]
    public void WatchTimeoutEndsTheWatchWithExitZero()
    {
        using var karpo = Karpo(factory.Server.CreateHandler(), stop: null);

        var run = karpo.Run("cost", "--watch");
        var timed = karpo.Run("pending", "--cluster", "cli-dev", "--watch", "--interval", "20ms", "--watch-timeout", "100ms");

        Assert.Equal(2, run.ExitCode);
        Assert.True(timed.ExitCode == 0, timed.Stderr);
        Assert.StartsWith("No pending pods in cluster 'cli-dev'.", timed.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("fast")]
    [InlineData("10")]
    public void ABadIntervalIsAUsageError(string interval)
    {
        using var karpo = Karpo(factory.Server.CreateHandler(), stop: null);

        var run = karpo.Run("clusters", "--watch", "--interval", interval);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"--interval '{interval}' is not a duration", run.Stderr, StringComparison.Ordinal);
    }

    private static KarpoFleet Karpo(HttpMessageHandler handler, CancellationTokenSource? stop)
    {
        var karpo = new KarpoFleet(handler, TimeProvider.System);
        karpo.Variables["KARPO_SERVER"] = "http://fleet.test";
        karpo.Variables["KARPO_TOKEN"] = KarpoSiloFactory.ReadToken;
        karpo.Stop = stop?.Token ?? default;
        return karpo;
    }

    /// <summary>
    /// Counts the polls of one list route; before poll N it runs the change scripted for N, and it stops the watch
    /// (as Ctrl-C does) during the poll after the last scripted one, so that poll is the last printed.
    /// </summary>
    private sealed class ScriptedPolls(HttpMessageHandler inner, string path, CancellationTokenSource stop, Dictionary<int, Func<Task>> changes)
        : DelegatingHandler(inner)
    {
        public int Count { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath == path)
            {
                Count++;
                if (changes.TryGetValue(Count, out var change))
                {
                    await change();
                }

                if (Count == (changes.Count == 0 ? 2 : changes.Keys.Max() + 1))
                {
                    await stop.CancelAsync();
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
