using System.Net;
using System.Net.Sockets;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// Every failure is one line on stderr naming the server, with exit 1 (2 for usage), and never shows the token.
/// What the API answers comes from the real silo; a <see cref="BrokenServer"/> stands in only for servers that are
/// not a working karpo service (a failing proxy, a web server's welcome page).
/// </summary>
[Collection(CliSiloCollection.Name)]
public sealed class FleetErrorTests(CliSiloFactory factory)
{
    [Fact]
    public void ARejectedTokenNamesWhereKarpoLookedButNotTheToken()
    {
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());

        var run = karpo.Run("clusters", "--server", "http://fleet.test", "--token", "wrong-s3cret");

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Equal(
            $"error: the server http://fleet.test rejected the token from --token (karpo looked in: --token, $KARPO_TOKEN, {karpo.ConfigPath})\n",
            run.Stderr);
        Assert.DoesNotContain("wrong-s3cret", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AForbiddenTokenSaysWhatItMayNotDo()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());
        karpo.Variables["KARPO_SERVER"] = "http://fleet.test";
        karpo.Variables["KARPO_TOKEN"] = fleet.ProdAgentToken;

        var run = karpo.Run("nodeclaims");

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.StartsWith("error: this token (from $KARPO_TOKEN) may not list node claims on http://fleet.test: ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(fleet.ProdAgentToken, run.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("clusters", "nope")]
    [InlineData("nodeclaims", "--cluster", "nope")]
    [InlineData("pending", "--cluster", "nope")]
    public void AnUnknownClusterIsNamed(params string[] args)
    {
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());

        var run = karpo.Run([.. args, "--server", "http://fleet.test", "--token", KarpoSiloFactory.ReadToken]);

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Equal("error: cluster 'nope' not found on http://fleet.test\n", run.Stderr);
    }

    [Fact]
    public void ConnectionRefusedNamesTheServer()
    {
        // A port that was just free: nothing listens there, so the connection is refused at once.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var karpo = new KarpoFleet(handler: null);

        var run = karpo.Run("cost", "--server", $"http://127.0.0.1:{port}", "--token", "t0ken");

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Equal(
            $"error: cannot connect to http://127.0.0.1:{port} (connection refused); is the service running? Start it with `dotnet run --project src/Karpenter.Orleans.Silo` or pass --server\n",
            run.Stderr);
    }

    [Fact]
    public void AServerErrorGivesTheStatusAndTheApiError()
    {
        using var server = new BrokenServer(HttpStatusCode.ServiceUnavailable, "application/json", """{"error":"fleet grain unavailable"}""");
        using var karpo = new KarpoFleet(server);

        var run = karpo.Run("cost", "--server", "http://fleet.test", "--token", KarpoSiloFactory.ReadToken);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: http://fleet.test failed to read the fleet's cost (503 Service Unavailable): fleet grain unavailable\n", run.Stderr);
    }

    [Fact]
    public void AServerErrorWithoutJsonShowsTheStartOfTheBodyOnOneLine()
    {
        using var server = new BrokenServer(HttpStatusCode.InternalServerError, "text/plain", "boom\n   at Some.Frame()\n" + new string('x', 500));
        using var karpo = new KarpoFleet(server);

        var run = karpo.Run("clusters", "--server", "http://fleet.test", "--token", KarpoSiloFactory.ReadToken);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: http://fleet.test failed to list clusters (500 Internal Server Error): boom at Some.Frame() xxx", run.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("...\n", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void AnAnswerThatIsNotJsonIsReported()
    {
        using var server = new BrokenServer(HttpStatusCode.OK, "text/html", "<html><body>Welcome to nginx!</body></html>");
        using var karpo = new KarpoFleet(server);

        var run = karpo.Run("pending", "--server", "http://fleet.test", "--token", KarpoSiloFactory.ReadToken);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            "error: http://fleet.test answered GET /api/v1/pending with 200 but not the expected JSON (text/html): <html><body>Welcome to nginx!</body></html>. Is http://fleet.test a karpo service?\n",
            run.Stderr);
    }

    [Fact]
    public void ABadRequestShowsTheApiErrorAndField()
    {
        using var server = new BrokenServer(HttpStatusCode.BadRequest, "application/json", """{"error":"unknown group key","field":"groupBy"}""");
        using var karpo = new KarpoFleet(server);

        var run = karpo.Run("capacity", "--server", "http://fleet.test", "--token", KarpoSiloFactory.ReadToken);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: http://fleet.test rejected the request (400 Bad Request): unknown group key (field 'groupBy')\n", run.Stderr);
    }

    [Theory]
    [InlineData("capacity", "--group-by", "colour")]
    [InlineData("capacity", "--group-by", ",")]
    [InlineData("clusters", "--server", "not a url")]
    [InlineData("pending", "--server", "ftp://fleet.test")]
    [InlineData("cost", "-o", "xml")]
    [InlineData("cost", "-o", "name")]
    [InlineData("nodeclaims", "-l", "zone in (a")]
    [InlineData("clusters", "--watch", "--interval", "soon")]
    [InlineData("nodeclaims", "--cluster")]
    [InlineData("clusters", "a", "b")]
    public void UsageErrorsExitTwoWithoutARequest(params string[] args)
    {
        var server = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = new KarpoFleet(server);
        karpo.Variables["KARPO_SERVER"] = "http://fleet.test";
        karpo.Variables["KARPO_TOKEN"] = KarpoSiloFactory.ReadToken;

        var run = karpo.Run(args);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void HelpListsTheFleetCommands()
    {
        using var karpo = new KarpoFleet(handler: null);

        var run = karpo.Run("--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var command in new[] { "clusters", "capacity", "nodeclaims", "pending", "cost", "simulate", "bench" })
        {
            Assert.Contains(command, run.Stdout, StringComparison.Ordinal);
        }
    }
}
