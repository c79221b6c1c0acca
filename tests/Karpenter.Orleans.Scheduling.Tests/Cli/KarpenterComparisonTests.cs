using System.Text.Json;
using Karpenter.Orleans.Cli.Output;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>The summary's comparison with Karpenter's first fit: the table line, the JSON block, and simulate end to end.</summary>
public sealed class KarpenterComparisonTests
{
    private static readonly SchedulingSummary Summary = new() { Pods = 10, Scheduled = 10, NodeClaims = 2, PricePerHour = 0.75 };

    private static readonly FirstFitPlan FirstFit = new(
        [
            new FirstFitLaunch("general", "c8i.96xlarge", "zone-b", "spot", 1, 0.8),
            new FirstFitLaunch("general", "m5.large", "zone-a", "on-demand", 2, 0.2),
        ],
        NodeClaims: 3,
        PricePerHour: 1.0,
        Scheduled: 10,
        Unplaced: 0);

    [Fact]
    public void TheTableLineSaysWhatKarpenterWouldLaunchAndTheSaving()
    {
        var line = SimulationTableWriter.KarpenterLine(Summary, FirstFit);

        Assert.Equal("Karpenter first fit: 3 node claims at $1.0000/hour (most on c8i.96xlarge spot: 1 in zone-b); this plan saves $0.2500/hour (25.00%)", line);
    }

    [Fact]
    public void TheTableLineNamesADifferentScheduledCount()
    {
        var line = SimulationTableWriter.KarpenterLine(Summary, FirstFit with { Scheduled = 9, Unplaced = 1 });

        Assert.Contains(", 9 pods scheduled;", line, StringComparison.Ordinal);
    }

    [Fact]
    public void TheJsonSummaryCarriesTheFirstFitAndTheSaving()
    {
        var result = new SchedulingResult([], [], [], Summary);

        using var doc = JsonDocument.Parse(SimulationJsonWriter.Write(result, 0.1, includeLowerBound: false, FirstFit));
        var block = doc.RootElement.GetProperty("summary").GetProperty("karpenterFirstFit");

        Assert.Equal(["nodeClaims", "scheduled", "pricePerHour", "savingPerHour", "savingPercent", "launches"], block.EnumerateObject().Select(p => p.Name));
        Assert.Equal(3, block.GetProperty("nodeClaims").GetInt32());
        Assert.Equal(1.0, block.GetProperty("pricePerHour").GetDouble());
        Assert.Equal(0.25, block.GetProperty("savingPerHour").GetDouble(), 6);
        Assert.Equal(25.0, block.GetProperty("savingPercent").GetDouble(), 6);
        var first = block.GetProperty("launches")[0];
        Assert.Equal(["nodePool", "instanceType", "zone", "capacityType", "nodes", "pricePerHour"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal("c8i.96xlarge", first.GetProperty("instanceType").GetString());
    }

    [Fact]
    public void SimulateComparesWithKarpenterWhenNoNodesExist()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("manifests.yaml", NodePoolAndWeb);

        var json = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests, "-o", "json");
        var table = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests);

        Assert.Equal(0, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Stdout);
        var summary = doc.RootElement.GetProperty("summary");
        var block = summary.GetProperty("karpenterFirstFit");
        // Three 500m pods fit one small.2x; its cheapest offering is spot in zone-a.
        Assert.Equal(1, block.GetProperty("nodeClaims").GetInt32());
        Assert.Equal(0.035, block.GetProperty("pricePerHour").GetDouble(), 6);
        Assert.Equal(0.035 - summary.GetProperty("pricePerHour").GetDouble(), block.GetProperty("savingPerHour").GetDouble(), 6);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("Karpenter first fit: 1 node claims at $0.0350/hour (most on small.2x spot: 1 in zone-a)", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void SimulateLeavesTheComparisonOutWhenNodesExist()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("manifests.yaml", CliFixtures.Manifests);

        var run = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests, "-o", "json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.False(doc.RootElement.GetProperty("summary").TryGetProperty("karpenterFirstFit", out _));
    }

    // The fixture's NodePool (its first document) and its web Deployment, without the Node and its bound pod.
    private static string NodePoolAndWeb => string.Join("---\n", CliFixtures.Manifests.Split("---\n").Take(2));
}
