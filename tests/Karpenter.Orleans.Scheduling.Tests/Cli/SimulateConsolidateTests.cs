using System.Globalization;
using System.Text.Json;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>
/// <c>karpo simulate --consolidate</c> end to end: the JSON contract of the design brief, what any correct
/// planner must decide on a small cluster, and the located errors of bad Nodes.
/// </summary>
public sealed class SimulateConsolidateTests
{
    private static readonly string[] TopLevelFields = ["actions", "blocked", "summary"];

    private static readonly string[] SummaryFields = ["pricePerHourBefore", "pricePerHourAfter", "savingPerHour"];

    private static readonly string[] Methods = ["emptiness", "drift", "expiration", "interruption", "multi-node", "single-node"];

    [Fact]
    public void JsonOutputHasTheContractShape()
    {
        using var dir = new ScratchFolder();
        var run = Consolidate(dir, "-o", "json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        var root = doc.RootElement;
        Assert.Equal(TopLevelFields, Names(root));
        Assert.Equal(SummaryFields, Names(root.GetProperty("summary")));
        foreach (var action in root.GetProperty("actions").EnumerateArray())
        {
            var names = Names(action);
            var kind = action.GetProperty("kind").GetString();
            Assert.Contains(action.GetProperty("method").GetString(), Methods);
            Assert.Contains(kind, new[] { "delete", "replace" });
            Assert.Equal(["method", "kind", "nodes"], names.Take(3));
            Assert.Equal(["savingPerHour", "moves"], names.TakeLast(2));
            var replacement = names.Skip(3).SkipLast(2).ToList();
            // Only an expiration deletes first and still lists what its pods will get.
            if (kind == "delete" && action.GetProperty("method").GetString() != "expiration")
            {
                Assert.Empty(replacement);
            }
            else if (replacement.Count > 0 || kind == "replace")
            {
                var field = Assert.Single(replacement);
                var claims = field == "replacement" ? [action.GetProperty(field)] : action.GetProperty(field).EnumerateArray().ToList();
                Assert.Equal(field == "replacement", claims.Count == 1);
                Assert.All(claims, c => Assert.Equal(["name", "instanceType", "zone", "capacityType", "pricePerHour"], Names(c)));
            }

            Assert.NotEmpty(action.GetProperty("nodes").EnumerateArray());
            Assert.All(action.GetProperty("moves").EnumerateArray(), m => Assert.Equal(["pod", "to"], Names(m)));
        }

        Assert.All(root.GetProperty("blocked").EnumerateArray(), b => Assert.Equal(["node", "reason"], Names(b)));

        // Every move goes to a node of the cluster or to a replacement the plan names.
        var targets = root.GetProperty("blocked").EnumerateArray().Select(b => b.GetProperty("node").GetString()!)
            .Concat(root.GetProperty("actions").EnumerateArray().SelectMany(a => a.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()!)))
            .Concat(root.GetProperty("actions").EnumerateArray().SelectMany(ReplacementNames))
            .ToHashSet(StringComparer.Ordinal);
        Assert.All(root.GetProperty("actions").EnumerateArray().SelectMany(a => a.GetProperty("moves").EnumerateArray()),
            m => Assert.Contains(m.GetProperty("to").GetString()!, targets));
    }

    private static IEnumerable<string> ReplacementNames(JsonElement action) =>
        action.TryGetProperty("replacement", out var one) ? [one.GetProperty("name").GetString()!]
        : action.TryGetProperty("replacements", out var many) ? many.EnumerateArray().Select(r => r.GetProperty("name").GetString()!)
        : [];

    [Fact]
    public void AnEmptyManagedNodeIsDeleted()
    {
        using var dir = new ScratchFolder();
        var root = ConsolidateJson(dir);

        var action = Assert.Single(Actions(root), a => Nodes(a).Contains("general-empty"));
        Assert.Equal("emptiness", action.GetProperty("method").GetString());
        Assert.Equal("delete", action.GetProperty("kind").GetString());
        // A DaemonSet pod does not make a node non-empty and is not moved anywhere.
        Assert.DoesNotContain(action.GetProperty("moves").EnumerateArray(), m => m.GetProperty("pod").GetString() == "kube-system/agent-general-empty");
    }

    [Fact]
    public void ADoNotDisruptPodBlocksItsNodeAndIsNamed()
    {
        using var dir = new ScratchFolder();
        var root = ConsolidateJson(dir);

        Assert.DoesNotContain(Actions(root), a => Nodes(a).Contains("batch-pinned"));
        var blocked = Assert.Single(root.GetProperty("blocked").EnumerateArray(), b => b.GetProperty("node").GetString() == "batch-pinned");
        Assert.Contains("do-not-disrupt", blocked.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnmanagedAndNotReadyNodesAreNeverDisrupted()
    {
        using var dir = new ScratchFolder();
        var root = ConsolidateJson(dir);

        var disrupted = Actions(root).SelectMany(Nodes).ToList();
        Assert.DoesNotContain("unmanaged", disrupted);
        Assert.DoesNotContain("general-starting", disrupted);
    }

    [Fact]
    public void SummaryIsTheCatalogPriceAndAfterIsBeforeLessSaving()
    {
        using var dir = new ScratchFolder();
        var root = ConsolidateJson(dir);

        var summary = root.GetProperty("summary");
        var before = summary.GetProperty("pricePerHourBefore").GetDouble();
        var after = summary.GetProperty("pricePerHourAfter").GetDouble();
        var saving = summary.GetProperty("savingPerHour").GetDouble();
        Assert.Equal(ConsolidationFixtures.ClusterPricePerHour, before, 5);
        Assert.Equal(before - saving, after, 5);
        Assert.Equal(Actions(root).Sum(a => a.GetProperty("savingPerHour").GetDouble()), saving, 5);
        // Deleting the empty large.8x alone saves its price.
        Assert.True(saving >= 0.384 - 1e-6, saving.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void UnderutilizedNodesRunningPodsWithoutLabelsArePlanned()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("cluster.yaml", ConsolidationFixtures.TwoUnderutilized);

        var run = Karpo.Run("simulate", "--consolidate", "--instance-types", catalog, "-f", manifests, "--now", ConsolidationFixtures.Now, "-o", "json");

        // Pods written by hand often have no labels; consolidation candidates must not trip over them.
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        var summary = doc.RootElement.GetProperty("summary");
        Assert.Equal(2 * 0.384, summary.GetProperty("pricePerHourBefore").GetDouble(), 5);
        Assert.Equal(
            summary.GetProperty("pricePerHourBefore").GetDouble() - summary.GetProperty("savingPerHour").GetDouble(),
            summary.GetProperty("pricePerHourAfter").GetDouble(),
            5);
        var moved = Actions(doc.RootElement).SelectMany(a => a.GetProperty("moves").EnumerateArray()).Select(m => m.GetProperty("pod").GetString());
        Assert.All(moved, p => Assert.Contains(p, new[] { "default/plain-1", "default/plain-2" }));
    }

    [Fact]
    public void SameInputAndClockGiveTheSameBytes()
    {
        using var dir = new ScratchFolder();
        var first = Consolidate(dir, "-o", "json");
        var second = Consolidate(dir, "-o", "json");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Stdout, second.Stdout);
    }

    [Fact]
    public void TableListsActionsThenBlockedNodesThenTheBill()
    {
        using var dir = new ScratchFolder();
        var run = Consolidate(dir);

        Assert.Equal(0, run.ExitCode);
        var text = run.Stdout;
        var actions = text.IndexOf("METHOD", StringComparison.Ordinal);
        var blocked = text.IndexOf("BLOCKED NODE", StringComparison.Ordinal);
        var bill = text.IndexOf("/hour before", StringComparison.Ordinal);
        Assert.True(actions >= 0 && blocked > actions && bill > blocked, text);
        Assert.Contains("general-empty", text[actions..blocked], StringComparison.Ordinal);
        Assert.Contains("batch-pinned", text[blocked..bill], StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownInstanceTypeIsALocatedBadInputError()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("cluster.yaml", ConsolidationFixtures.Cluster.Replace("node.kubernetes.io/instance-type: small.2x\n    topology.kubernetes.io/zone: zone-a", "node.kubernetes.io/instance-type: tiny.1x\n    topology.kubernetes.io/zone: zone-a", StringComparison.Ordinal));

        var run = Karpo.Run("simulate", "--consolidate", "--instance-types", catalog, "-f", manifests, "--now", ConsolidationFixtures.Now);

        AssertBadInput(run);
        Assert.Contains("cluster.yaml: document 6 (Node batch-pinned)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("node.kubernetes.io/instance-type", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("tiny.1x", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOfferingTheCatalogDoesNotHaveIsALocatedBadInputError()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        // large.8x is on-demand only.
        var manifests = dir.Write("node.yaml", ConsolidationFixtures.OneNode("""
                karpenter.sh/nodepool: default
                node.kubernetes.io/instance-type: large.8x
                topology.kubernetes.io/zone: zone-a
                karpenter.sh/capacity-type: spot
            """));

        var run = Karpo.Run("simulate", "--consolidate", "--instance-types", catalog, "-f", manifests);

        AssertBadInput(run);
        Assert.Contains("node.yaml: document 2 (Node odd-node)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("spot", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("zone-a", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AManagedNodeWithoutAnInstanceTypeIsALocatedBadInputError()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("node.yaml", ConsolidationFixtures.OneNode("""
                karpenter.sh/nodepool: default
                topology.kubernetes.io/zone: zone-a
                karpenter.sh/capacity-type: on-demand
            """));

        var run = Karpo.Run("simulate", "--consolidate", "--instance-types", catalog, "-f", Path.GetDirectoryName(manifests)!);

        AssertBadInput(run);
        Assert.Contains("node.yaml: document 2 (Node odd-node): metadata.labels[\"node.kubernetes.io/instance-type\"]", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-12-07")]
    [InlineData("2026-12-07T12:00:00")]
    [InlineData("2026-13-07T12:00:00Z")]
    public void NowThatIsNotRfc3339IsAUsageError(string now)
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("cluster.yaml", ConsolidationFixtures.Cluster);

        var run = Karpo.Run("simulate", "--consolidate", "--instance-types", catalog, "-f", manifests, "--now", now);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Contains("--now", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(now, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void NowWithAnOffsetIsAccepted()
    {
        using var dir = new ScratchFolder();
        var utc = Consolidate(dir, "-o", "json");
        var offset = Karpo.Run("simulate", "--consolidate", "--instance-types", Path.Combine(dir.Path, "catalog.json"),
            "-f", Path.Combine(dir.Path, "cluster.yaml"), "-o", "json", "--now", "2026-12-07T13:00:00.000+01:00");

        Assert.Equal(0, offset.ExitCode);
        Assert.Equal(utc.Stdout, offset.Stdout);
    }

    [Fact]
    public void NowWithoutConsolidateIsAUsageError()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("m.yaml", CliFixtures.OnePod);

        var run = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests, "--now", ConsolidationFixtures.Now);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--consolidate", run.Stderr, StringComparison.Ordinal);
    }

    private static CliRun Consolidate(ScratchFolder dir, params string[] extra)
    {
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("cluster.yaml", ConsolidationFixtures.Cluster);
        return Karpo.Run(["simulate", "--consolidate", "--instance-types", catalog, "-f", manifests, "--now", ConsolidationFixtures.Now, .. extra]);
    }

    private static JsonElement ConsolidateJson(ScratchFolder dir)
    {
        var run = Consolidate(dir, "-o", "json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        return doc.RootElement.Clone();
    }

    private static List<JsonElement> Actions(JsonElement root) => [.. root.GetProperty("actions").EnumerateArray()];

    private static List<string> Nodes(JsonElement action) =>
        [.. action.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()!)];

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static void AssertBadInput(CliRun run)
    {
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Single(run.StderrLines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }
}
