using System.Text.Json;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Fleet;
using Karpenter.Orleans.Silo.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// The admin commands against the real silo's admin routes: register a cluster and get its agent token once, remove
/// it, set the fleet's and a cluster's spend cap, set a quota. A read token is refused with the API's reason.
/// </summary>
[Collection(CliSiloCollection.Name)]
public sealed class AdminCliTests(CliSiloFactory factory)
{
    [Fact]
    public async Task RegisterPrintsTheAgentTokenOnceAndTheTokenWorks()
    {
        using var karpo = Admin();

        var run = karpo.Run("cluster", "register", "cli-admin-reg", "--provider", "simulated", "--region", "us-east-1", "--account", "123456789012", "--spend-cap", "2.5");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var lines = run.StdoutLines;
        Assert.Equal("cluster/cli-admin-reg registered: provider simulated, region us-east-1, account 123456789012, spend cap $2.500/hour", lines[0]);
        var token = lines[^1];
        Assert.Single(lines, l => l.Contains(token, StringComparison.Ordinal));

        // The token printed is the cluster's agent credential: it may read its own cluster.
        using var agent = factory.CreateClient(token);
        using var response = await agent.GetAsync(new Uri("/api/v1/clusters/cli-admin-reg", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var status = await response.ReadAsync<ClusterStatus>();
        Assert.Equal(2.5, status.SpendCapPerHour);
    }

    [Fact]
    public void RegisterAsJsonIsTheApiAnswer()
    {
        using var karpo = Admin();

        var run = karpo.Run("cluster", "register", "cli-admin-json", "--provider", "simulated", "--region", "eu-west-1", "--account", "dev", "-o", "json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var answer = JsonSerializer.Deserialize<ClusterRegistrationResponse>(run.Stdout, FleetJson.Options)!;
        Assert.Equal(new ClusterRegistration("cli-admin-json", "simulated", "eu-west-1", "dev"), answer.Cluster);
        Assert.False(string.IsNullOrEmpty(answer.AgentToken));
    }

    [Fact]
    public async Task RemoveUnregistersTheCluster()
    {
        using var admin = factory.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("cli-admin-rm");
        using var karpo = Admin();

        var removed = karpo.Run("cluster", "remove", "cli-admin-rm");
        var after = karpo.Run("clusters", "cli-admin-rm");
        var again = karpo.Run("cluster", "remove", "cli-admin-rm");

        Assert.True(removed.ExitCode == 0, removed.Stderr);
        Assert.Equal("cluster/cli-admin-rm removed\n", removed.Stdout);
        Assert.Equal(1, after.ExitCode);
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("error: cluster 'cli-admin-rm' not found on http://fleet.test\n", again.Stderr);
    }

    [Fact]
    public async Task SpendCapSetChangesTheClustersAndTheFleetsCap()
    {
        using var admin = factory.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("cli-admin-cap");
        using var karpo = Admin();

        var cluster = karpo.Run("spend-cap", "set", "7.25", "--cluster", "cli-admin-cap");
        var capped = FleetTableTests.Json<ClusterStatus>(karpo, "clusters", "cli-admin-cap");
        var removed = karpo.Run("spend-cap", "set", "none", "--cluster", "cli-admin-cap");
        var uncapped = FleetTableTests.Json<ClusterStatus>(karpo, "clusters", "cli-admin-cap");
        var fleet = karpo.Run("spend-cap", "set", "500");
        var cost = FleetTableTests.Json<FleetCost>(karpo, "cost");
        karpo.Run("spend-cap", "set", "none");

        Assert.True(cluster.ExitCode == 0, cluster.Stderr);
        Assert.Equal("cluster/cli-admin-cap spend cap: $7.250/hour\n", cluster.Stdout);
        Assert.Equal(7.25, capped.SpendCapPerHour);
        Assert.Equal("cluster/cli-admin-cap spend cap: none\n", removed.Stdout);
        Assert.Null(uncapped.SpendCapPerHour);
        Assert.Equal("fleet spend cap: $500.000/hour\n", fleet.Stdout);
        Assert.Equal(500, cost.SpendCapPerHour);
    }

    [Fact]
    public async Task QuotaSetSetsTheAccountsLimit()
    {
        using var karpo = Admin();

        var run = karpo.Run("quota", "set", "simulated", "cli-quota-acct", "us-east-1", "L-1216C47A", "--vcpus", "96");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("quota simulated/cli-quota-acct/us-east-1/L-1216C47A: 96 vCPUs\n", run.Stdout);
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        var ledger = await grains.GetGrain<IQuotaGrain>("simulated/cli-quota-acct/us-east-1").GetLedgerAsync();
        Assert.Equal(96, Assert.Single(ledger, l => l.QuotaCode == "L-1216C47A").Limit);
    }

    [Theory]
    [InlineData("spend-cap", "set", "-1")]
    [InlineData("spend-cap", "set", "lots")]
    [InlineData("quota", "set", "simulated", "a", "us-east-1", "L-1", "--vcpus", "-4")]
    [InlineData("quota", "set", "simulated", "a", "us-east-1", "L-1")]
    [InlineData("cluster", "register", "x", "--provider", "simulated", "--region", "us-east-1")]
    public void BadAdminArgumentsAreUsageErrors(params string[] args)
    {
        using var karpo = Admin();

        var run = karpo.Run(args);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void TheServiceRefusingARegistrationSaysWhichField()
    {
        using var karpo = Admin();

        var run = karpo.Run("cluster", "register", "cli-bad-provider", "--provider", "nimbus", "--region", "us-east-1", "--account", "a");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: http://fleet.test rejected the request (400 Bad Request): ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("provider", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AReadTokenMayNotRegister()
    {
        using var karpo = new KarpoFleet(factory.Server.CreateHandler(), TimeProvider.System);
        karpo.Variables["KARPO_SERVER"] = "http://fleet.test";
        karpo.Variables["KARPO_TOKEN"] = KarpoSiloFactory.ReadToken;

        var run = karpo.Run("cluster", "register", "cli-admin-ro", "--provider", "simulated", "--region", "us-east-1", "--account", "a");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: this token (from $KARPO_TOKEN) may not register clusters on http://fleet.test", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(KarpoSiloFactory.ReadToken, run.All, StringComparison.Ordinal);
    }

    [Fact]
    public void AdminCommandsSendTheContextsAdminToken()
    {
        var recorder = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = new KarpoFleet(recorder, TimeProvider.System);
        karpo.WriteConfig($$"""{ "server": "http://fleet.test", "token": "{{KarpoSiloFactory.ReadToken}}", "adminToken": "{{KarpoSiloFactory.AdminToken}}" }""");

        var read = karpo.Run("cost");
        var write = karpo.Run("spend-cap", "set", "none");

        Assert.True(read.ExitCode == 0 && write.ExitCode == 0, read.Stderr + write.Stderr);
        Assert.Equal(["Bearer " + KarpoSiloFactory.ReadToken, "Bearer " + KarpoSiloFactory.AdminToken], recorder.Requests.Select(r => r.Authorization));
    }

    private KarpoFleet Admin()
    {
        var karpo = new KarpoFleet(factory.Server.CreateHandler(), TimeProvider.System);
        karpo.Variables["KARPO_SERVER"] = "http://fleet.test";
        karpo.Variables["KARPO_TOKEN"] = KarpoSiloFactory.AdminToken;
        return karpo;
    }
}
