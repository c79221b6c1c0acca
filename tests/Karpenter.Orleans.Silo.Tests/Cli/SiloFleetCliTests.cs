using System.Text.Json;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Fleet;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// karpo against the real silo (grains, auth, JSON), in process through the test server's handler. The silo is shared
/// by the CLI tests, so each test uses its own cluster ids and only looks for its own rows.
/// </summary>
[Collection(CliSiloCollection.Name)]
public sealed class SiloFleetCliTests(CliSiloFactory factory)
{
    private const string Server = "http://localhost";

    [Fact]
    public async Task ARegisteredClusterIsListed()
    {
        using var admin = factory.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("cli-listed", region: "eu-west-1");
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());

        var table = karpo.Run("clusters", "--server", Server, "--token", KarpoSiloFactory.ReadToken);
        var json = karpo.Run("clusters", "-o", "json", "--server", Server, "--token", KarpoSiloFactory.ReadToken);

        Assert.Equal(0, table.ExitCode);
        Assert.Empty(table.Stderr);
        var row = Assert.Single(table.StdoutLines, l => l.StartsWith("cli-listed ", StringComparison.Ordinal));
        Assert.Contains("simulated", row, StringComparison.Ordinal);
        Assert.Contains("eu-west-1", row, StringComparison.Ordinal);
        Assert.Equal(0, json.ExitCode);
        var clusters = JsonSerializer.Deserialize<ClusterStatus[]>(json.Stdout, FleetJson.Options);
        Assert.NotNull(clusters);
        var cluster = Assert.Single(clusters, c => c.ClusterId == "cli-listed");
        Assert.Equal(("simulated", "eu-west-1", "111122223333"), (cluster.Provider, cluster.Region, cluster.Account));
    }

    [Fact]
    public async Task EveryFleetViewOfARegisteredClusterParses()
    {
        using var admin = factory.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("cli-views");
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());
        karpo.Variables["KARPO_SERVER"] = Server;
        karpo.Variables["KARPO_TOKEN"] = KarpoSiloFactory.ReadToken;

        string[][] commands =
        [
            ["clusters", "cli-views"],
            ["capacity"],
            ["capacity", "--group-by", "region,zone,instanceType,capacityType,nodePool"],
            ["nodeclaims", "--cluster", "cli-views"],
            ["pending", "--cluster", "cli-views"],
            ["cost"],
            ["explain", "cli-views"],
            ["nodeclasses", "cli-views"],
        ];
        foreach (var command in commands)
        {
            foreach (var output in new[] { "table", "json" })
            {
                var run = karpo.Run([.. command, "-o", output]);

                Assert.True(run.ExitCode == 0, $"karpo {string.Join(' ', command)} -o {output}: {run.Stderr}");
                Assert.Empty(run.Stderr);
                Assert.NotEmpty(run.Stdout);
            }
        }
    }

    [Fact]
    public async Task ExplainNamesANodeTheClusterDoesNotHave()
    {
        using var admin = factory.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("cli-explain");
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());

        var all = karpo.Run("explain", "cli-explain", "--server", Server, "--token", KarpoSiloFactory.ReadToken);
        var one = karpo.Run("explain", "cli-explain", "ip-nowhere", "--server", Server, "--token", KarpoSiloFactory.ReadToken);

        Assert.Equal(0, all.ExitCode);
        Assert.Equal("Cluster 'cli-explain' has no nodes.\n", all.Stdout);
        Assert.Equal(1, one.ExitCode);
        Assert.Equal("error: cluster 'cli-explain' has no node 'ip-nowhere'\n", one.Stderr);
    }

    [Fact]
    public async Task NodeClassesAreListedAsTableAndJsonAndAMissingOneIsNamed()
    {
        using var admin = factory.CreateClient(KarpoSiloFactory.AdminToken);
        var agentToken = await admin.RegisterAsync("cli-nc");
        using var agent = factory.CreateClient(agentToken);
        const string nodeClass = """{"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"general"},"spec":{"role":"KarpoNodeRole"}}""";
        using (var resync = await agent.PutJsonAsync("/api/v1/clusters/cli-nc/state", ApiJson.Snapshot(new ClusterObject(ObjectKind.NodeClass, nodeClass))))
        {
            Assert.Empty((await resync.ReadAsync<SyncResult>()).Errors);
        }

        using var karpo = new KarpoFleet(factory.Server.CreateHandler());
        var table = karpo.Run("nodeclasses", "cli-nc", "--server", Server, "--token", KarpoSiloFactory.ReadToken);
        var json = karpo.Run("nodeclasses", "cli-nc", "general", "-o", "json", "--server", Server, "--token", KarpoSiloFactory.ReadToken);
        var missing = karpo.Run("nodeclasses", "cli-nc", "other", "--server", Server, "--token", KarpoSiloFactory.ReadToken);

        Assert.Equal(0, table.ExitCode);
        var printed = new FleetTable(table.Stdout);
        var row = Assert.Single(printed.Rows);
        // The simulated cloud resolves no node classes: nothing to show but the object.
        Assert.Equal(("general", "EC2NodeClass", "-", "-"), (row["NAME"], row["KIND"], row["READY"], row["SUBNETS"]));
        Assert.Equal(["1 node class: 0 ready, 0 not ready"], printed.Summary);
        Assert.Equal(0, json.ExitCode);
        var one = JsonSerializer.Deserialize<NodeClassInfo>(json.Stdout, FleetJson.Options)!;
        Assert.Equal(("cli-nc", "general", "KarpoNodeRole"), (one.ClusterId, one.Name, one.Spec!["role"]!.GetValue<string>()));
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("error: cluster 'cli-nc' has no node class 'other'\n", missing.Stderr);
    }

    [Fact]
    public void AnUnknownClusterIsNamed()
    {
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());

        var run = karpo.Run("nodeclaims", "--cluster", "cli-never-registered", "--server", Server, "--token", KarpoSiloFactory.ReadToken);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: cluster 'cli-never-registered' not found on {Server}\n", run.Stderr);
    }

    [Fact]
    public void AWrongTokenIsRejectedWithoutBeingPrinted()
    {
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());

        var run = karpo.Run("clusters", "--server", Server, "--token", "not-a-karpo-token");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: the server {Server} rejected the token from --token (karpo looked in: --token, $KARPO_TOKEN, ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-karpo-token", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAgentTokenMayNotReadTheFleet()
    {
        using var admin = factory.CreateClient(KarpoSiloFactory.AdminToken);
        var agentToken = await admin.RegisterAsync("cli-agent");
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());

        var run = karpo.Run("cost", "--server", Server, "--token", agentToken);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: this token (from --token) may not read the fleet's cost on {Server}", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(agentToken, run.All, StringComparison.Ordinal);
    }
}
