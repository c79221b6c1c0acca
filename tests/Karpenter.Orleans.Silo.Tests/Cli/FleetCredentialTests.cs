using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// Server and token resolution, like kubectl: flags, then KARPO_SERVER/KARPO_TOKEN, then the config file. Requests go
/// to the real silo (it answers any host name); the recorder shows which host and token karpo chose.
/// </summary>
[Collection(CliSiloCollection.Name)]
public sealed class FleetCredentialTests(CliSiloFactory factory)
{
    private const string ConfigServer = "http://config.test";

    [Fact]
    public async Task FlagsBeatVariablesWhichBeatTheConfigFile()
    {
        var server = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = new KarpoFleet(server);
        karpo.WriteConfig($$"""{ "server": "{{ConfigServer}}", "token": "config-token" }""");

        var fromConfig = karpo.Run("cost");
        karpo.Variables["KARPO_SERVER"] = "http://env.test";
        karpo.Variables["KARPO_TOKEN"] = "env-token";
        var fromVariables = karpo.Run("cost");
        var fromFlags = karpo.Run("cost", "--server", "http://flag.test:8080", "--token", KarpoSiloFactory.ReadToken);

        var requests = server.Requests.ToArray();
        Assert.Equal(("config.test", "Bearer config-token"), (requests[0].Host, requests[0].Authorization));
        Assert.Equal(("env.test", "Bearer env-token"), (requests[1].Host, requests[1].Authorization));
        Assert.Equal(("flag.test:8080", "Bearer " + KarpoSiloFactory.ReadToken), (requests[2].Host, requests[2].Authorization));
        Assert.Equal(1, fromConfig.ExitCode);
        Assert.Equal(1, fromVariables.ExitCode);
        Assert.Equal(0, fromFlags.ExitCode);
    }

    [Fact]
    public async Task TheConfigFileAloneIsEnough()
    {
        var server = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = new KarpoFleet(server);
        karpo.WriteConfig($$"""{ "server": "{{ConfigServer}}/", "token": "{{KarpoSiloFactory.ReadToken}}", "adminToken": "admin" }""");

        var run = karpo.Run("clusters");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("CLUSTER ", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheConfigAdminTokenIsUsedWhenTheFileHasNoReadToken()
    {
        var server = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = new KarpoFleet(server);
        karpo.WriteConfig($$"""{ "server": "{{ConfigServer}}", "adminToken": "{{KarpoSiloFactory.AdminToken}}" }""");

        var run = karpo.Run("pending");

        Assert.True(run.ExitCode == 0, run.Stderr);
        // Other tests' pods share this silo, so the list may take more than one page: every page carries the token.
        Assert.NotEmpty(server.Requests);
        Assert.All(server.Requests, r => Assert.Equal("Bearer " + KarpoSiloFactory.AdminToken, r.Authorization));
    }

    [Fact]
    public async Task TheConfigTokenIsNotSentToAnotherServer()
    {
        var server = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = new KarpoFleet(server);
        karpo.WriteConfig($$"""{ "server": "{{ConfigServer}}", "token": "{{KarpoSiloFactory.ReadToken}}" }""");
        karpo.Variables["KARPO_SERVER"] = "http://elsewhere.test";

        var run = karpo.Run("clusters");

        Assert.Null(Assert.Single(server.Requests).Authorization);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            $"error: http://elsewhere.test requires a token and karpo found none (karpo looked in: --token, $KARPO_TOKEN, {karpo.ConfigPath})\n",
            run.Stderr);
    }

    [Fact]
    public async Task TheConfigTokenGoesWithItsServerNamedByAVariable()
    {
        var server = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = new KarpoFleet(server);
        karpo.WriteConfig($$"""{ "server": "{{ConfigServer}}", "token": "{{KarpoSiloFactory.ReadToken}}" }""");
        karpo.Variables["KARPO_SERVER"] = "HTTP://CONFIG.TEST/";

        var run = karpo.Run("clusters");

        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task AServerPathPrefixIsKept()
    {
        var server = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = new KarpoFleet(server);

        karpo.Run("cost", "--server", "http://proxy.test/karpo/", "--token", KarpoSiloFactory.ReadToken);

        Assert.Equal("/karpo/api/v1/cost", Assert.Single(server.Requests).PathAndQuery);
    }

    [Fact]
    public void NoServerAnywhereSaysHowToStartTheService()
    {
        using var karpo = new KarpoFleet(handler: null);

        var run = karpo.Run("clusters");

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Equal(
            $"error: no karpo server configured: start the service with `dotnet run --project src/Karpenter.Orleans.Silo` (it writes {karpo.ConfigPath}), or pass --server URL or set $KARPO_SERVER\n",
            run.Stderr);
    }

    [Fact]
    public void AMalformedConfigFileIsNamedWithoutPrintingItsContent()
    {
        using var karpo = new KarpoFleet(handler: null);
        karpo.WriteConfig("""{ "server": "http://config.test", "token": "sekrit-value" """);

        var run = karpo.Run("cost");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: the config file {karpo.ConfigPath} is not valid JSON", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("sekrit-value", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public void AConfigServerThatIsNotAUrlIsNamedWithItsSource()
    {
        using var karpo = new KarpoFleet(handler: null);
        karpo.Variables["KARPO_SERVER"] = "fleet.test:5080";

        var run = karpo.Run("cost");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: the server 'fleet.test:5080' from $KARPO_SERVER is not an http:// or https:// URL\n", run.Stderr);
    }
}
