using Karpenter.Orleans.Scheduling.Tests.TestSupport;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>End to end through the loaders and the solver: the simulate contract of the design brief.</summary>
public sealed partial class SimulateCommandTests
{
    private static readonly string[] TopLevelFields = ["nodeClaims", "existingNodes", "unschedulable", "summary"];

    private static readonly string[] SummaryFields = ["pods", "scheduled", "unschedulable", "nodeClaims", "pricePerHour", "solveSeconds"];

    private static readonly string[] NodeClaimFields =
        ["name", "nodePool", "instanceType", "zone", "capacityType", "pricePerHour", "instanceTypeOptions", "labels", "taints", "requests", "pods"];

    [Fact]
    public void JsonOutputHasExactlyTheContractFields()
    {
        using var dir = new ScratchFolder();
        var run = Simulate(dir, "-o", "json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        var root = doc.RootElement;
        Assert.Equal(TopLevelFields, Names(root));
        Assert.Equal(SummaryFields, Names(root.GetProperty("summary")));

        var claims = root.GetProperty("nodeClaims").EnumerateArray().ToList();
        Assert.NotEmpty(claims);
        foreach (var claim in claims)
        {
            Assert.Equal(NodeClaimFields, Names(claim));
            Assert.Equal("general", claim.GetProperty("nodePool").GetString());
            var labels = Names(claim.GetProperty("labels"));
            Assert.Equal(labels.Order(StringComparer.Ordinal), labels);
            Assert.Contains(claim.GetProperty("instanceType").GetString(), claim.GetProperty("instanceTypeOptions").EnumerateArray().Select(o => o.GetString()));
        }

        foreach (var placement in root.GetProperty("existingNodes").EnumerateArray())
        {
            Assert.Equal(["name", "pods"], Names(placement));
        }

        var unschedulable = root.GetProperty("unschedulable").EnumerateArray().ToList();
        var big = Assert.Single(unschedulable, u => u.GetProperty("pod").GetString() == "default/big");
        Assert.Equal(["pod", "reason"], Names(big));
        Assert.False(string.IsNullOrWhiteSpace(big.GetProperty("reason").GetString()));

        // Every web replica is placed somewhere; the bound pod is not listed again.
        var placed = claims.SelectMany(c => c.GetProperty("pods").EnumerateArray())
            .Concat(root.GetProperty("existingNodes").EnumerateArray().SelectMany(n => n.GetProperty("pods").EnumerateArray()))
            .Select(p => p.GetString())
            .ToList();
        Assert.Equal(["default/web-0", "default/web-1", "default/web-2"], placed.Where(p => p!.StartsWith("default/web-", StringComparison.Ordinal)).Order());
        Assert.DoesNotContain("default/api-0", placed);

        var summary = root.GetProperty("summary");
        Assert.Equal(claims.Count, summary.GetProperty("nodeClaims").GetInt32());
        Assert.Equal(unschedulable.Count, summary.GetProperty("unschedulable").GetInt32());
        Assert.Equal(summary.GetProperty("pods").GetInt32(), summary.GetProperty("scheduled").GetInt32() + unschedulable.Count);
    }

    [Fact]
    public void TwoRunsGiveIdenticalJsonApartFromSolveSeconds()
    {
        using var dir = new ScratchFolder();
        var first = Simulate(dir, "-o", "json");
        var second = Simulate(dir, "-o", "json");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Matches(SolveSeconds(), first.Stdout);
        Assert.Equal(WithoutSolveSeconds(first.Stdout), WithoutSolveSeconds(second.Stdout));
    }

    [Fact]
    public void FolderInputReadsItsYamlFilesSortedByName()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var a = dir.Write("manifests/a.yaml", CliFixtures.Manifests);
        var b = dir.Write("manifests/b.yml", CliFixtures.OnePod);
        dir.Write("manifests/notes.txt", "not a manifest");

        var byFiles = Karpo.Run("simulate", "--instance-types", catalog, "-f", a, "-f", b, "-o", "json");
        var byFolder = Karpo.Run("simulate", "--instance-types", catalog, "-f", Path.Combine(dir.Path, "manifests"), "-o", "json");

        Assert.Equal(0, byFiles.ExitCode);
        Assert.Equal(0, byFolder.ExitCode);
        Assert.Equal(WithoutSolveSeconds(byFiles.Stdout), WithoutSolveSeconds(byFolder.Stdout));
    }

    [Fact]
    public void LowerBoundAddsItsFiguresToTheSummary()
    {
        using var dir = new ScratchFolder();
        var run = Simulate(dir, "-o", "json", "--lower-bound");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Equal([.. SummaryFields, "lowerBoundPerHour", "gapPercent"], Names(doc.RootElement.GetProperty("summary")));
    }

    [Fact]
    public void PolicyFlagsAreAccepted()
    {
        using var dir = new ScratchFolder();
        var run = Simulate(dir, "-o", "json", "--min-values-policy", "BestEffort", "--preference-policy", "Ignore", "--no-improve");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Equal(TopLevelFields, Names(doc.RootElement));
    }

    [Fact]
    public void TableOutputIsTheDefaultAndNamesEveryClaim()
    {
        using var dir = new ScratchFolder();
        var json = Simulate(dir, "-o", "json");
        var table = Simulate(dir);

        Assert.Equal(0, table.ExitCode);
        using var doc = JsonDocument.Parse(json.Stdout);
        var names = doc.RootElement.GetProperty("nodeClaims").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToList();
        Assert.NotEmpty(names);
        Assert.Contains("NAME", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("$/H", table.Stdout, StringComparison.Ordinal);
        foreach (var name in names)
        {
            Assert.Contains(name, table.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("default/big", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKindIsSkippedWithOneLineOnStderr()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("m.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            data:
              key: value
            ---

            """ + CliFixtures.OnePod);

        var run = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests, "-o", "json");

        Assert.Equal(0, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.Contains("ConfigMap", line, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Equal(1, doc.RootElement.GetProperty("summary").GetProperty("pods").GetInt32());
    }

    [Fact]
    public void ValidInputExitsZeroEvenWhenNothingFits()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("m.yaml", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: huge
            spec:
              containers:
                - name: huge
                  image: busybox
                  resources:
                    requests:
                      cpu: "512"
            """);

        var run = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests, "-o", "json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Empty(doc.RootElement.GetProperty("nodeClaims").EnumerateArray());
        Assert.Equal("default/huge", Assert.Single(doc.RootElement.GetProperty("unschedulable").EnumerateArray()).GetProperty("pod").GetString());
    }

    private static CliRun Simulate(ScratchFolder dir, params string[] extra)
    {
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("manifests.yaml", CliFixtures.Manifests);
        return Karpo.Run(["simulate", "--instance-types", catalog, "-f", manifests, .. extra]);
    }

    private static List<string> Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToList();

    private static string WithoutSolveSeconds(string json) => SolveSeconds().Replace(json, "\"solveSeconds\": 0");

    [GeneratedRegex("\"solveSeconds\": [-+0-9.eE]+")]
    private static partial Regex SolveSeconds();
}
