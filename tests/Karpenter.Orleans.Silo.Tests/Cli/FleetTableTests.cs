using System.Globalization;
using System.Text.Json;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Fleet;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// The human tables of the fleet commands against the real silo and its <see cref="CliFleet"/>. The silo is shared, so
/// other tests' clusters may appear too: each test reads its own rows and checks the summaries add up over all rows.
/// Figures are checked against the same command's <c>-o json</c>, which shows what the API answered.
/// </summary>
[Collection(CliSiloCollection.Name)]
public sealed class FleetTableTests(CliSiloFactory factory)
{
    private const string Server = "http://fleet.test";

    [Fact]
    public async Task ClustersPrintsAnAlignedTableAndASummary()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = Karpo();

        var run = karpo.Run("clusters");
        var records = Json<ClusterStatus[]>(karpo, "clusters");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stderr);
        var table = new FleetTable(run.Stdout);
        Assert.Equal(["CLUSTER", "PROVIDER", "REGION", "ACCOUNT", "NODES", "CLAIMS", "PODS", "PENDING", "$/H", "CAP $/H", "AGENT", "LAST PROVISIONED"], table.Columns);
        Assert.Equal(table.Rows.Select(r => r["CLUSTER"]).Order(StringComparer.Ordinal), table.Rows.Select(r => r["CLUSTER"]));

        var prod = Assert.Single(table.RowsWhere("CLUSTER", fleet.Prod));
        var prodRecord = records.Single(c => c.ClusterId == fleet.Prod);
        Assert.Equal(("simulated", "us-east-1", "111122223333", "3"), (prod["PROVIDER"], prod["REGION"], prod["ACCOUNT"], prod["PODS"]));
        Assert.Equal(Count(prodRecord.NodeClaims), prod["CLAIMS"]);
        Assert.True(prodRecord.NodeClaims >= 1, "the silo launched no claim for the prod cluster");
        Assert.Equal(Count(prodRecord.PendingPods), prod["PENDING"]);
        AssertPrice(prodRecord.PricePerHour, prod["$/H"]);
        Assert.Equal("10.000", prod["CAP $/H"]);
        Assert.Matches(@"^\d+(s|m) ago$", prod["LAST PROVISIONED"]);

        var dev = Assert.Single(table.RowsWhere("CLUSTER", fleet.Dev));
        Assert.Equal(("us-west-2", "dev", "0", "0", "-", "-", "never"), (dev["REGION"], dev["ACCOUNT"], dev["PODS"], dev["PENDING"], dev["CAP $/H"], dev["AGENT"], dev["LAST PROVISIONED"]));

        var summary = Assert.Single(table.Summary);
        var nodes = table.Rows.Sum(r => int.Parse(r["NODES"], CultureInfo.InvariantCulture));
        var pending = table.Rows.Sum(r => int.Parse(r["PENDING"], CultureInfo.InvariantCulture));
        Assert.StartsWith($"{Plural(table.Rows.Count, "cluster")}: {Plural(nodes, "node")}, {Plural(pending, "pending pod")}, $", summary, StringComparison.Ordinal);
        AssertPrice(records.Sum(c => c.PricePerHour), summary[(summary.LastIndexOf('$') + 1)..].Replace("/hour", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClustersWithAnIdShowsThatClusterOnly()
    {
        var fleet = await factory.SeedAsync();
        var recorder = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = Karpo(recorder);

        var run = karpo.Run("clusters", fleet.Dev);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"/api/v1/clusters/{fleet.Dev}", recorder.Requests.Select(r => r.PathAndQuery));
        var table = new FleetTable(run.Stdout);
        Assert.Equal(fleet.Dev, Assert.Single(table.Rows)["CLUSTER"]);
        Assert.StartsWith("1 cluster: 0 nodes, 0 pending pods, $0.000/hour", Assert.Single(table.Summary), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CapacityGroupsByClusterByDefault()
    {
        var fleet = await factory.SeedAsync();
        var recorder = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = Karpo(recorder);

        var run = karpo.Run("capacity");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("/api/v1/capacity?groupBy=cluster", Assert.Single(recorder.Requests).PathAndQuery);
        var table = new FleetTable(run.Stdout);
        Assert.Equal(["CLUSTER", "NODES", "CPU(cores)", "MEMORY(GiB)", "$/H"], table.Columns);
        var record = Json<CapacityRow[]>(karpo, "capacity").Single(r => r.Group["cluster"] == fleet.Prod);
        var prod = Assert.Single(table.RowsWhere("CLUSTER", fleet.Prod));
        Assert.Equal(Count(record.Nodes), prod["NODES"]);
        Assert.Equal(record.MilliCpu / 1000.0, double.Parse(prod["CPU(cores)"], CultureInfo.InvariantCulture), 2);
        Assert.Equal(record.Memory / (1024.0 * 1024 * 1024), double.Parse(prod["MEMORY(GiB)"], CultureInfo.InvariantCulture), 1);
        AssertPrice(record.PricePerHour, prod["$/H"]);
        var nodes = table.Rows.Sum(r => int.Parse(r["NODES"], CultureInfo.InvariantCulture));
        Assert.StartsWith($"total: {Plural(nodes, "node")}, ", Assert.Single(table.Summary), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CapacityGroupsByTheKeysGivenInTheirOrder()
    {
        await factory.SeedAsync();
        var recorder = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = Karpo(recorder);

        var run = karpo.Run("capacity", "--group-by", "zone,capacitytype");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("/api/v1/capacity?groupBy=zone%2CcapacityType", Assert.Single(recorder.Requests).PathAndQuery);
        var table = new FleetTable(run.Stdout);
        Assert.Equal(["ZONE", "CAPACITY TYPE", "NODES", "CPU(cores)", "MEMORY(GiB)", "$/H"], table.Columns);
        Assert.Contains(table.Rows, r => r["ZONE"].StartsWith("us-east-1", StringComparison.Ordinal) && r["CAPACITY TYPE"] == "on-demand");
    }

    [Fact]
    public async Task NodeClaimsShowPhaseInstanceAgeAndReason()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = Karpo();

        var run = karpo.Run("nodeclaims");
        var records = Json<NodeClaimInfo[]>(karpo, "nodeclaims");

        Assert.Equal(0, run.ExitCode);
        var table = new FleetTable(run.Stdout);
        Assert.Equal(["CLUSTER", "NAME", "NODEPOOL", "PHASE", "TYPE", "ZONE", "CAPACITY", "$/H", "CPU(cores)", "MEMORY(GiB)", "NODE", "AGE", "REASON"], table.Columns);
        var mine = table.RowsWhere("CLUSTER", fleet.Prod).ToList();
        Assert.NotEmpty(mine);
        foreach (var row in mine)
        {
            var claim = records.Single(c => c.Name == row["NAME"]);
            Assert.Equal(CliFleet.NodePool, row["NODEPOOL"]);
            Assert.Equal(claim.Phase.ToString(), row["PHASE"]);
            Assert.Equal((claim.InstanceType, claim.Zone, "on-demand"), (row["TYPE"], row["ZONE"], row["CAPACITY"]));
            AssertPrice(claim.PricePerHour, row["$/H"]);
            Assert.Equal("-", row["NODE"]);
            Assert.Matches(@"^\d+(s|m)$", row["AGE"]);
            Assert.Equal("-", row["REASON"]);
        }

        var live = records.Count(c => c.Phase != NodeClaimPhase.Terminated);
        Assert.StartsWith($"{Plural(records.Length, "node claim")}: {live} live at $", Assert.Single(table.Summary), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeClaimsOfOneCluster()
    {
        var fleet = await factory.SeedAsync();
        var recorder = new RecordingHandler(factory.Server.CreateHandler());
        using var karpo = Karpo(recorder);

        var run = karpo.Run("nodeclaims", "--cluster", fleet.Prod);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"/api/v1/nodeclaims?cluster={fleet.Prod}", Assert.Single(recorder.Requests).PathAndQuery);
        var table = new FleetTable(run.Stdout);
        Assert.NotEmpty(table.Rows);
        Assert.All(table.Rows, r => Assert.Equal(fleet.Prod, r["CLUSTER"]));
    }

    [Fact]
    public async Task PendingPodsShowHowLongAndWhy()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = Karpo();

        var run = karpo.Run("pending", "--cluster", fleet.Prod);
        var records = Json<FleetPendingPod[]>(karpo, "pending", "--cluster", fleet.Prod);

        Assert.Equal(0, run.ExitCode);
        var table = new FleetTable(run.Stdout);
        Assert.Equal(["CLUSTER", "NAMESPACE", "NAME", "PENDING", "NODECLAIM", "REASON"], table.Columns);
        Assert.Equal(records.Length, table.Rows.Count);
        var huge = Assert.Single(table.RowsWhere("NAME", CliFleet.HugePod));
        Assert.Equal((fleet.Prod, "default", "-"), (huge["CLUSTER"], huge["NAMESPACE"], huge["NODECLAIM"]));
        Assert.Equal(records.Single(p => p.Name == CliFleet.HugePod).Reason, huge["REASON"]);
        Assert.Matches(@"^\d+(s|m|h|d)", huge["PENDING"]);
        Assert.Equal($"{Plural(records.Length, "pending pod")} in 1 cluster", Assert.Single(table.Summary));
    }

    [Fact]
    public async Task NoPendingPodsIsOneSentence()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = Karpo();

        var run = karpo.Run("pending", "--cluster", fleet.Dev);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"No pending pods in cluster '{fleet.Dev}'.\n", run.Stdout);
    }

    [Fact]
    public async Task CostShowsClustersAndTheFleetAgainstItsCap()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = Karpo();

        var run = karpo.Run("cost");
        var cost = Json<FleetCost>(karpo, "cost");

        Assert.Equal(0, run.ExitCode);
        var table = new FleetTable(run.Stdout);
        Assert.Equal(["CLUSTER", "REGION", "NODES", "PENDING", "$/H", "CAP $/H", "OF CAP"], table.Columns);
        var expectedOrder = cost.Clusters.OrderByDescending(c => c.PricePerHour).ThenBy(c => c.ClusterId, StringComparer.Ordinal).Select(c => c.ClusterId);
        Assert.Equal(expectedOrder, table.Rows.Select(r => r["CLUSTER"]));

        var prod = Assert.Single(table.RowsWhere("CLUSTER", fleet.Prod));
        var prodCost = cost.Clusters.Single(c => c.ClusterId == fleet.Prod);
        AssertPrice(prodCost.PricePerHour, prod["$/H"]);
        Assert.Equal("10.000", prod["CAP $/H"]);
        Assert.Equal((100 * prodCost.PricePerHour / 10).ToString("0.0", CultureInfo.InvariantCulture) + "%", prod["OF CAP"]);
        var dev = Assert.Single(table.RowsWhere("CLUSTER", fleet.Dev));
        Assert.Equal(("us-west-2", "-", "-"), (dev["REGION"], dev["CAP $/H"], dev["OF CAP"]));

        var summary = Assert.Single(table.Summary);
        Assert.StartsWith("fleet: $", summary, StringComparison.Ordinal);
        Assert.Contains("/hour committed (running plus launches in flight)", summary, StringComparison.Ordinal);
        Assert.EndsWith($"; {Plural(table.Rows.Count, "cluster")}", summary, StringComparison.Ordinal);
    }

    internal static T Json<T>(KarpoFleet karpo, params string[] command)
    {
        var run = karpo.Run([.. command, "-o", "json"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonSerializer.Deserialize<T>(run.Stdout, FleetJson.Options) ?? throw new InvalidOperationException("karpo printed null");
    }

    // Prices print with 3 or 4 decimals.
    internal static void AssertPrice(double expected, string cell)
    {
        Assert.Matches(@"^\d+\.\d{3,4}$", cell);
        Assert.Equal(expected, double.Parse(cell, CultureInfo.InvariantCulture), 3);
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Plural(int n, string noun) => $"{Count(n)} {noun}{(n == 1 ? string.Empty : "s")}";

    private KarpoFleet Karpo(HttpMessageHandler? handler = null)
    {
        var karpo = new KarpoFleet(handler ?? factory.Server.CreateHandler(), TimeProvider.System);
        karpo.Variables["KARPO_SERVER"] = Server;
        karpo.Variables["KARPO_TOKEN"] = KarpoSiloFactory.ReadToken;
        return karpo;
    }
}
