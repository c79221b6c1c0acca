using System.Text.Json.Nodes;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// Contexts in the client config, kubectl's way: today's single-server file is the context <c>default</c>;
/// <c>config set-context|use-context|get-contexts|current-context</c>; <c>--context</c> on every command picks the
/// server and the token; tokens are never printed in full. The test server answers any host, and the recording
/// handler shows which host and token each request went to.
/// </summary>
[Collection(CliSiloCollection.Name)]
public sealed class FleetContextTests(CliSiloFactory factory)
{
    private const string OtherToken = "other-context-token-0b1c2d3e4f";

    private static readonly string LegacyConfig = $$"""
        { "server": "http://silo.test", "token": "{{KarpoSiloFactory.ReadToken}}", "adminToken": "{{KarpoSiloFactory.AdminToken}}" }
        """;

    [Fact]
    public void TodaysSingleServerFileIsTheDefaultContext()
    {
        var recorder = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = new KarpoFleet(recorder);
        karpo.WriteConfig(LegacyConfig);

        var current = karpo.Run("config", "current-context");
        var contexts = karpo.Run("config", "get-contexts");
        var cost = karpo.Run("cost");

        Assert.Equal("default\n", current.Stdout);
        var table = new FleetTable(contexts.Stdout);
        Assert.Equal(["CURRENT", "NAME", "SERVER", "TOKEN", "ADMIN TOKEN"], table.Columns);
        var row = Assert.Single(table.Rows);
        Assert.Equal(("*", "default", "http://silo.test"), (row["CURRENT"], row["NAME"], row["SERVER"]));
        Assert.Equal($"test…({KarpoSiloFactory.ReadToken.Length})", row["TOKEN"]);
        Assert.True(cost.ExitCode == 0, cost.Stderr);
        Assert.Equal(("silo.test", "Bearer " + KarpoSiloFactory.ReadToken), Last(recorder));
    }

    [Fact]
    public void SetContextAndUseContextSwitchTheServerAndToken()
    {
        var recorder = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = new KarpoFleet(recorder);
        karpo.WriteConfig(LegacyConfig);

        var set = karpo.Run("config", "set-context", "prod", "--server", "http://prod.test", "--token", KarpoSiloFactory.ReadToken);
        var use = karpo.Run("config", "use-context", "prod");
        var onProd = karpo.Run("clusters", "-o", "name");
        var prodHost = Last(recorder);
        var onDefault = karpo.Run("clusters", "-o", "name", "--context", "default");
        var defaultHost = Last(recorder);
        var modified = karpo.Run("config", "set-context", "prod", "--server", "http://prod2.test");
        karpo.Run("cost");

        Assert.Equal("Context \"prod\" created.\n", set.Stdout);
        Assert.Equal("Switched to context \"prod\".\n", use.Stdout);
        Assert.Equal("Context \"prod\" modified.\n", modified.Stdout);
        Assert.True(onProd.ExitCode == 0, onProd.Stderr);
        Assert.True(onDefault.ExitCode == 0, onDefault.Stderr);
        Assert.Equal(("prod.test", "Bearer " + KarpoSiloFactory.ReadToken), prodHost);
        Assert.Equal(("silo.test", "Bearer " + KarpoSiloFactory.ReadToken), defaultHost);
        // The server changed, the token stayed.
        Assert.Equal(("prod2.test", "Bearer " + KarpoSiloFactory.ReadToken), Last(recorder));
        Assert.Equal("prod\n", karpo.Run("config", "current-context").Stdout);

        // The silo's top-level fields stay where the silo reads and rewrites them.
        var file = JsonNode.Parse(File.ReadAllText(karpo.ConfigPath))!;
        Assert.Equal("http://silo.test", (string?)file["server"]);
        Assert.Equal(KarpoSiloFactory.AdminToken, (string?)file["adminToken"]);
        Assert.Equal("prod", (string?)file["currentContext"]);
        Assert.Equal("http://prod2.test", (string?)file["contexts"]![0]!["server"]);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(karpo.ConfigPath));
        }
    }

    [Fact]
    public void AnExplicitContextBeatsTheVariablesButNotTheFlags()
    {
        var recorder = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = new KarpoFleet(recorder);
        karpo.WriteConfig($$"""
            { "server": "http://silo.test", "token": "{{KarpoSiloFactory.ReadToken}}",
              "contexts": [ { "name": "other", "server": "http://other.test", "token": "{{OtherToken}}" } ] }
            """);
        karpo.Variables["KARPO_SERVER"] = "http://env.test";
        karpo.Variables["KARPO_TOKEN"] = KarpoSiloFactory.ReadToken;

        karpo.Run("cost");
        var fromVariables = Last(recorder);
        karpo.Run("cost", "--context", "other");
        var fromContext = Last(recorder);
        karpo.Run("cost", "--context", "other", "--server", "http://flag.test", "--token", KarpoSiloFactory.ReadToken);
        var fromFlags = Last(recorder);
        var otherServer = karpo.Run("cost", "--context", "other", "--server", "http://flag.test");

        Assert.Equal(("env.test", "Bearer " + KarpoSiloFactory.ReadToken), fromVariables);
        Assert.Equal(("other.test", "Bearer " + OtherToken), fromContext);
        Assert.Equal(("flag.test", "Bearer " + KarpoSiloFactory.ReadToken), fromFlags);

        // The context's token is not sent to a server a flag named.
        Assert.Equal((string?)null, recorder.Requests.Last().Authorization);
        Assert.Equal(1, otherServer.ExitCode);
        Assert.Contains("requires a token", otherServer.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownContextIsNamedWithTheContextsThereAre()
    {
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());
        karpo.WriteConfig(LegacyConfig);

        var run = karpo.Run("pending", "--context", "staging");
        var use = karpo.Run("config", "use-context", "staging");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: no context 'staging' in {karpo.ConfigPath} (contexts: default); add it with `karpo config set-context staging --server URL --token TOKEN`\n", run.Stderr);
        Assert.Equal(1, use.ExitCode);
        Assert.StartsWith("error: no context 'staging'", use.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Theory]
    [InlineData("table")]
    [InlineData("wide")]
    [InlineData("json")]
    [InlineData("yaml")]
    [InlineData("name")]
    public void GetContextsNeverPrintsAToken(string output)
    {
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());
        karpo.WriteConfig(LegacyConfig);
        karpo.Run("config", "set-context", "other", "--server", "http://other.test", "--token", OtherToken, "--admin-token", "s3cr3t-admin");

        var run = karpo.Run("config", "get-contexts", "-o", output);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("other", run.Stdout, StringComparison.Ordinal);
        foreach (var token in new[] { KarpoSiloFactory.ReadToken, KarpoSiloFactory.AdminToken, OtherToken, OtherToken[4..], "s3cr3t-admin" })
        {
            Assert.DoesNotContain(token, run.All, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void WithoutAConfigFileThereIsNoCurrentContext()
    {
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());

        var current = karpo.Run("config", "current-context");
        var contexts = karpo.Run("config", "get-contexts");

        Assert.Equal(1, current.ExitCode);
        Assert.StartsWith("error: no current context", current.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, contexts.ExitCode);
        Assert.StartsWith("No contexts", contexts.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void AContextOfTheWrongShapeIsNamedWithoutItsValue()
    {
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());
        karpo.WriteConfig("""{ "contexts": [ { "name": "a", "server": "http://a.test", "token": 12345678 } ] }""");

        var run = karpo.Run("config", "get-contexts");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: the config file {karpo.ConfigPath}: contexts[0].token is not a string\n", run.Stderr);
    }

    [Fact]
    public async Task TheSiloRefreshingItsConfigKeepsTheOtherContexts()
    {
        await using var silo = new ConfiguredSiloFactory(new Dictionary<string, string?> { ["Karpo:Auth:WriteClientConfig"] = "true" });
        await File.WriteAllTextAsync(silo.ClientConfigPath, $$"""
            { "currentContext": "other", "contexts": [ { "name": "other", "server": "http://other.test", "token": "{{OtherToken}}" } ] }
            """);

        using var client = silo.CreateClient(KarpoSiloFactory.ReadToken);
        JsonNode? file = null;
        for (var i = 0; i < 100 && (file = JsonNode.Parse(await File.ReadAllTextAsync(silo.ClientConfigPath)))!["server"] is null; i++)
        {
            await Task.Delay(100);
        }

        Assert.NotNull(file!["server"]);
        Assert.Equal(KarpoSiloFactory.ReadToken, (string?)file["token"]);
        Assert.Equal("other", (string?)file["currentContext"]);
        Assert.Equal(OtherToken, (string?)file["contexts"]![0]!["token"]);
    }

    private static (string Host, string? Authorization) Last(RecordingHandler recorder)
    {
        var last = recorder.Requests.Last();
        return (last.Host, last.Authorization);
    }
}
