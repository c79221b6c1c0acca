using System.Text.Json;
using System.Text.Json.Nodes;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Fleet;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// kubectl's output habits against the real silo: <c>-o yaml</c> is the JSON document with the same field names,
/// <c>-o name</c> one <c>kind/name</c> a line, <c>-o wide</c> the table with more columns, <c>--no-headers</c> rows only.
/// </summary>
[Collection(CliSiloCollection.Name)]
public sealed class FleetOutputFormatTests(CliSiloFactory factory)
{
    private const string Server = "http://fleet.test";

    public static TheoryData<string[], Type> Views() => new()
    {
        { ["clusters"], typeof(ClusterStatus[]) },
        { ["clusters", "cli-prod"], typeof(ClusterStatus) },
        { ["nodeclaims", "--cluster", "cli-prod"], typeof(NodeClaimInfo[]) },
        { ["nodepools", "--cluster", "cli-prod"], typeof(NodePoolStatus[]) },
        { ["pending", "--cluster", "cli-prod"], typeof(FleetPendingPod[]) },
        { ["capacity"], typeof(CapacityRow[]) },
        { ["cost"], typeof(FleetCost) },
        { ["explain", "cli-prod"], typeof(DisruptionExplanation) },
    };

    [Theory]
    [MemberData(nameof(Views))]
    public async Task YamlIsTheJsonDocumentWithTheSameFieldNames(string[] command, Type type)
    {
        await factory.SeedAsync();
        using var karpo = Karpo();

        var run = karpo.Run([.. command, "-o", "yaml"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Empty(run.Stderr);
        Assert.DoesNotContain("{\"", run.Stdout, StringComparison.Ordinal);
        var yaml = YamlJson.Read(run.Stdout);

        // Read back through the API's records and written as karpo writes JSON: any field named differently, any
        // value typed differently (a quoted number, an enum spelt another way) makes the two documents differ.
        var records = JsonSerializer.Deserialize(yaml!.ToJsonString(), type, FleetJson.Options);
        var json = JsonNode.Parse(JsonSerializer.Serialize(records, type, FleetJson.Options));
        Assert.True(JsonNode.DeepEquals(json, yaml), $"YAML and JSON differ:\n{run.Stdout}\n---\n{json}");
    }

    [Fact]
    public async Task YamlKeepsEnumSpellingTimesAndNullsOfTheJson()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = Karpo();

        var run = karpo.Run("pending", "--cluster", fleet.Prod, "-o", "yaml");

        Assert.Equal(0, run.ExitCode);
        var pods = Assert.IsType<JsonArray>(YamlJson.Read(run.Stdout));
        var huge = Assert.Single(pods, p => (string?)p!["name"] == CliFleet.HugePod)!;
        Assert.Equal(fleet.Prod, (string?)huge["clusterId"]);
        // A time stays the JSON's string (quoted, not a YAML timestamp); a missing claim stays null.
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T", (string?)huge["pendingSince"]);
        Assert.Null(huge["nodeClaim"]);
        Assert.Contains("- clusterId: cli-prod\n  namespace: default\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NameIsKindSlashNameOfEveryObjectListed()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = Karpo();

        var claims = FleetTableTests.Json<NodeClaimInfo[]>(karpo, "nodeclaims", "--cluster", fleet.Prod);
        var names = karpo.Run("nodeclaims", "--cluster", fleet.Prod, "-o", "name");
        var clusters = karpo.Run("clusters", "-o", "name");
        var pools = karpo.Run("nodepools", "--cluster", fleet.Prod, "-o", "name");
        var pods = karpo.Run("pending", "--cluster", fleet.Prod, "-o", "name");

        Assert.Equal(0, names.ExitCode);
        Assert.Equal(claims.Select(c => $"nodeclaim/{fleet.Prod}/{c.Name}").Order(StringComparer.Ordinal), names.StdoutLines.Order(StringComparer.Ordinal));
        Assert.Contains($"cluster/{fleet.Prod}", clusters.StdoutLines);
        Assert.Contains($"cluster/{fleet.Dev}", clusters.StdoutLines);
        Assert.All(clusters.StdoutLines, l => Assert.StartsWith("cluster/", l, StringComparison.Ordinal));
        Assert.Equal([$"nodepool/{fleet.Prod}/{CliFleet.NodePool}"], pools.StdoutLines);
        Assert.Contains($"pod/{fleet.Prod}/default/{CliFleet.HugePod}", pods.StdoutLines);
    }

    [Fact]
    public void NameIsRefusedWhereTheViewHasNoNames()
    {
        using var karpo = Karpo();

        var run = karpo.Run("capacity", "-o", "name");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("name", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task WideAddsColumnsToTheTable()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = Karpo();

        var table = new FleetTable(karpo.Run("nodeclaims", "--cluster", fleet.Prod).Stdout);
        var wide = new FleetTable(karpo.Run("nodeclaims", "--cluster", fleet.Prod, "-o", "wide").Stdout);
        var claims = FleetTableTests.Json<NodeClaimInfo[]>(karpo, "nodeclaims", "--cluster", fleet.Prod);

        Assert.Equal([.. table.Columns, "INSTANCE", "LAUNCHED", "REGISTERED", "INITIALIZED", "INTERRUPTION"], wide.Columns);
        foreach (var claim in claims.Where(c => c.InstanceId is not null))
        {
            var row = Assert.Single(wide.RowsWhere("NAME", claim.Name));
            Assert.Equal(claim.InstanceId, row["INSTANCE"]);
            Assert.Equal(claim.LaunchedAt is null ? "-" : FleetFormat.Time(claim.LaunchedAt), row["LAUNCHED"]);
        }

        Assert.Equal(table.Summary, wide.Summary);
    }

    [Fact]
    public async Task NoHeadersPrintsTheRowsOnly()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = Karpo();

        var table = karpo.Run("nodepools", "--cluster", fleet.Prod);
        var rows = karpo.Run("nodepools", "--cluster", fleet.Prod, "--no-headers");
        var capacity = karpo.Run("capacity", "--no-headers");
        var empty = karpo.Run("pending", "--cluster", fleet.Dev, "--no-headers");

        Assert.Equal(0, rows.ExitCode);
        var parsed = new FleetTable(table.Stdout);
        Assert.Equal(["CLUSTER", "NAME", "WEIGHT", "VALID", "NODES", "CLAIMS", "USAGE", "LIMITS"], parsed.Columns);
        var row = Assert.Single(rows.StdoutLines);
        Assert.StartsWith($"{fleet.Prod}   {CliFleet.NodePool}   ", row, StringComparison.Ordinal);
        Assert.Equal(Cells(table.StdoutLines[1]), Cells(row));
        Assert.DoesNotContain(capacity.StdoutLines, l => l.StartsWith("CLUSTER", StringComparison.Ordinal) || l.StartsWith("total:", StringComparison.Ordinal));
        Assert.NotEmpty(capacity.StdoutLines);
        Assert.Equal(0, empty.ExitCode);
        Assert.Empty(empty.Stdout);
    }

    [Fact]
    public async Task NodePoolsWithoutAClusterListsEveryClustersPools()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = Karpo();

        var run = karpo.Run("nodepools");
        var pools = JsonSerializer.Deserialize<NodePoolStatus[]>(karpo.Run("nodepools", "-o", "json").Stdout, FleetJson.Options)!;

        Assert.Equal(0, run.ExitCode);
        var table = new FleetTable(run.Stdout);
        var prod = Assert.Single(table.RowsWhere("CLUSTER", fleet.Prod));
        Assert.Equal((CliFleet.NodePool, "True"), (prod["NAME"], prod["VALID"]));
        Assert.Empty(table.RowsWhere("CLUSTER", fleet.Dev));
        var record = Assert.Single(pools, p => p.ClusterId == fleet.Prod);
        Assert.Equal(FleetFormat.Count(record.NodeClaims), prod["CLAIMS"]);
        Assert.Matches(@"^\d+ NodePools? in \d+ clusters?, \d+ invalid$", table.Summary[^1]);
    }

    // Without the header the columns are only as wide as the rows need, as kubectl's --no-headers prints them.
    private static string[] Cells(string line) => System.Text.RegularExpressions.Regex.Split(line, @"\s{3,}");

    private KarpoFleet Karpo()
    {
        var karpo = new KarpoFleet(factory.Server.CreateHandler(), TimeProvider.System);
        karpo.Variables["KARPO_SERVER"] = Server;
        karpo.Variables["KARPO_TOKEN"] = KarpoSiloFactory.ReadToken;
        return karpo;
    }
}
