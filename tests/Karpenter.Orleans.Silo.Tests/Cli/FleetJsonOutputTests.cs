using System.Text.Json;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Fleet;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary><c>-o json</c> prints the API's records: camelCase, enums as camelCase strings, indented, stable bytes.</summary>
public sealed class FleetJsonOutputTests
{
    public static TheoryData<string[], object> Commands() => new()
    {
        { ["clusters"], FleetSamples.Clusters },
        { ["clusters", "prod-east"], FleetSamples.Clusters[0] },
        { ["nodeclaims"], FleetSamples.NodeClaims },
        { ["pending"], FleetSamples.Pending },
        { ["cost"], FleetSamples.Cost },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task JsonIsTheApiRecordsIndented(string[] command, object expected)
    {
        await using var server = await FakeFleetServer.StartAsync();
        using var karpo = new KarpoFleet(server.CreateHandler());

        var run = karpo.Run([.. command, "-o", "json", "--server", "http://fleet.test", "--token", FakeFleetServer.ReadToken]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stderr);
        Assert.Equal(JsonSerializer.Serialize(expected, expected.GetType(), FleetJson.Options) + "\n", run.Stdout);
        Assert.DoesNotContain("\r", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonRoundTripsAndKeepsTheApiNames()
    {
        await using var server = await FakeFleetServer.StartAsync();
        using var karpo = new KarpoFleet(server.CreateHandler());

        var first = karpo.Run("nodeclaims", "-o", "json", "--server", "http://fleet.test", "--token", FakeFleetServer.ReadToken);
        var second = karpo.Run("nodeclaims", "-o", "json", "--server", "http://fleet.test", "--token", FakeFleetServer.ReadToken);

        Assert.Equal(first.Stdout, second.Stdout);
        Assert.StartsWith("[\n  {\n    \"clusterId\": \"prod-east\",\n    \"name\": \"general-abc12\",", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"phase\": \"initialized\"", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"createdAt\": \"2025-06-01T08:50:00+00:00\"", first.Stdout, StringComparison.Ordinal);
        var claims = JsonSerializer.Deserialize<NodeClaimInfo[]>(first.Stdout, FleetJson.Options);
        Assert.NotNull(claims);
        Assert.Equal(FleetSamples.NodeClaims.Select(c => (c.Name, c.Phase, c.PricePerHour)), claims.Select(c => (c.Name, c.Phase, c.PricePerHour)));
    }

    [Fact]
    public async Task CapacityJsonKeepsTheGroupKeys()
    {
        await using var server = await FakeFleetServer.StartAsync();
        using var karpo = new KarpoFleet(server.CreateHandler());

        var run = karpo.Run("capacity", "--group-by", "region", "--group-by", "nodePool", "-o", "json", "--server", "http://fleet.test", "--token", FakeFleetServer.ReadToken);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("/api/v1/capacity?groupBy=region%2CnodePool", Assert.Single(server.Requests).PathAndQuery);
        var rows = JsonSerializer.Deserialize<CapacityRow[]>(run.Stdout, FleetJson.Options);
        Assert.NotNull(rows);
        Assert.Equal(2, rows.Length);
        Assert.Equal(["nodePool", "region"], rows[0].Group.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(12, rows.Single(r => r.Group["region"] == "us-east-1").Nodes);
    }
}
