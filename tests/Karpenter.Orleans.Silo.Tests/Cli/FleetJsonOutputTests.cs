using System.Globalization;
using System.Text.Json;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Fleet;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// <c>-o json</c> against the real silo prints the API's records: camelCase, enums as camelCase strings, indented,
/// "\n" line ends, and the same bytes again when the records are read back and written out.
/// </summary>
[Collection(CliSiloCollection.Name)]
public sealed class FleetJsonOutputTests(CliSiloFactory factory)
{
    private const string Server = "http://fleet.test";

    public static TheoryData<string[], Type> Commands() => new()
    {
        { ["clusters"], typeof(ClusterStatus[]) },
        { ["clusters", "cli-prod"], typeof(ClusterStatus) },
        { ["nodeclaims"], typeof(NodeClaimInfo[]) },
        { ["pending"], typeof(FleetPendingPod[]) },
        { ["capacity"], typeof(CapacityRow[]) },
        { ["cost"], typeof(FleetCost) },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task JsonIsTheApiRecordsIndented(string[] command, Type type)
    {
        await factory.SeedAsync();
        using var karpo = Karpo();

        var run = karpo.Run([.. command, "-o", "json"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stderr);
        Assert.DoesNotContain("\r", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"^(\[\n  \{\n    ""|\{\n  "")[a-z]", run.Stdout);
        var records = JsonSerializer.Deserialize(run.Stdout, type, FleetJson.Options);
        Assert.NotNull(records);
        Assert.Equal(JsonSerializer.Serialize(records, type, FleetJson.Options) + "\n", run.Stdout);
        Assert.Contains("cli-prod", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonKeepsTheApiNames()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = Karpo();

        var first = karpo.Run("nodeclaims", "--cluster", fleet.Prod, "-o", "json");
        var claims = JsonSerializer.Deserialize<NodeClaimInfo[]>(first.Stdout, FleetJson.Options);

        Assert.StartsWith($"[\n  {{\n    \"clusterId\": \"{fleet.Prod}\",\n    \"name\": \"", first.Stdout, StringComparison.Ordinal);
        Assert.NotNull(claims);
        var claim = claims[0];
        Assert.Contains($"\"phase\": \"{JsonNamingPolicy.CamelCase.ConvertName(claim.Phase.ToString())}\"", first.Stdout, StringComparison.Ordinal);
        Assert.Contains($"\"nodePool\": \"{CliFleet.NodePool}\"", first.Stdout, StringComparison.Ordinal);
        Assert.Contains($"\"createdAt\": \"{claim.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)}", first.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CapacityJsonKeepsTheGroupKeys()
    {
        var fleet = await factory.SeedAsync();
        var recorder = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = Karpo(recorder);

        var run = karpo.Run("capacity", "--group-by", "region", "--group-by", "nodePool", "-o", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("/api/v1/capacity?groupBy=region%2CnodePool", Assert.Single(recorder.Requests).PathAndQuery);
        var rows = JsonSerializer.Deserialize<CapacityRow[]>(run.Stdout, FleetJson.Options);
        Assert.NotNull(rows);
        Assert.All(rows, r => Assert.Equal(["nodePool", "region"], r.Group.Keys.Order(StringComparer.Ordinal)));
        var claims = FleetTableTests.Json<NodeClaimInfo[]>(karpo, "nodeclaims", "--cluster", fleet.Prod);
        var mine = Assert.Single(rows, r => r.Group["region"] == "us-east-1" && r.Group["nodePool"] == CliFleet.NodePool);
        Assert.True(mine.Nodes >= claims.Length, $"{mine.Nodes} nodes in us-east-1/{CliFleet.NodePool}, but {fleet.Prod} alone has {claims.Length} claims");
    }

    private KarpoFleet Karpo(HttpMessageHandler? handler = null)
    {
        var karpo = new KarpoFleet(handler ?? factory.Server.CreateHandler(), TimeProvider.System);
        karpo.Variables["KARPO_SERVER"] = Server;
        karpo.Variables["KARPO_TOKEN"] = KarpoSiloFactory.ReadToken;
        return karpo;
    }
}
