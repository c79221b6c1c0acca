using System.Text.Json;
using k8s.Models;
using Karpenter.Orleans.Cli.Output;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>The writers on a hand-built result, so the output contract is checked without the solver.</summary>
public sealed class SimulationOutputTests
{
    private static readonly SchedulingResult Result = new(
        [
            new PlannedNodeClaim
            {
                Name = "general-7x2kq",
                NodePool = "general",
                InstanceType = "m5.large",
                Zone = "zone-a",
                CapacityType = "spot",
                PricePerHour = 0.1 + 0.2,
                InstanceTypeOptions = ["m5.large", "m6i.large"],
                Labels = new Dictionary<string, string>
                {
                    ["topology.kubernetes.io/zone"] = "zone-a",
                    ["karpenter.sh/nodepool"] = "general",
                    ["b"] = "2",
                    ["a"] = "1",
                },
                Taints =
                [
                    new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" },
                    new V1Taint { Key = "spot", Effect = "PreferNoSchedule" },
                ],
                Requests = new ResourceVector(1100, 2L * 1024 * 1024 * 1024, 3),
                Pods = ["default/web-0", "default/web-1", "default/web-2"],
            },
        ],
        [new ExistingNodePlacement("node-1", ["default/api-0", "default/api-1", "default/api-2", "default/api-3", "default/api-4"])],
        [new UnschedulablePod("default/big-0", "no instance type has 64 cpu")],
        new SchedulingSummary
        {
            Pods = 9,
            Scheduled = 8,
            Unschedulable = 1,
            NodeClaims = 1,
            PricePerHour = 0.1 + 0.2,
            SolveSeconds = 0.5,
            LowerBoundPerHour = 0.25,
            GapPercent = 20.000000004,
        });

    [Fact]
    public void JsonFollowsTheContract()
    {
        var json = SimulationJsonWriter.Write(Result, 0.0041234567, includeLowerBound: false);

        Assert.DoesNotContain("\r", json, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(["nodeClaims", "existingNodes", "unschedulable", "summary"], root.EnumerateObject().Select(p => p.Name));

        var claim = Assert.Single(root.GetProperty("nodeClaims").EnumerateArray());
        Assert.Equal(
            ["name", "nodePool", "instanceType", "zone", "capacityType", "pricePerHour", "instanceTypeOptions", "labels", "taints", "requests", "pods"],
            claim.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["a", "b", "karpenter.sh/nodepool", "topology.kubernetes.io/zone"], claim.GetProperty("labels").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["m5.large", "m6i.large"], claim.GetProperty("instanceTypeOptions").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["default/web-0", "default/web-1", "default/web-2"], claim.GetProperty("pods").EnumerateArray().Select(e => e.GetString()));

        var taints = claim.GetProperty("taints").EnumerateArray().ToList();
        Assert.Equal(["key", "value", "effect"], taints[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["key", "effect"], taints[1].EnumerateObject().Select(p => p.Name));

        var requests = claim.GetProperty("requests");
        Assert.Equal("1100m", requests.GetProperty("cpu").GetString());
        Assert.Equal("2Gi", requests.GetProperty("memory").GetString());
        Assert.Equal("3", requests.GetProperty("pods").GetString());

        var existing = Assert.Single(root.GetProperty("existingNodes").EnumerateArray());
        Assert.Equal("node-1", existing.GetProperty("name").GetString());
        Assert.Equal(5, existing.GetProperty("pods").GetArrayLength());

        var pod = Assert.Single(root.GetProperty("unschedulable").EnumerateArray());
        Assert.Equal("default/big-0", pod.GetProperty("pod").GetString());
        Assert.Equal("no instance type has 64 cpu", pod.GetProperty("reason").GetString());

        var summary = root.GetProperty("summary");
        Assert.Equal(["pods", "scheduled", "unschedulable", "nodeClaims", "pricePerHour", "solveSeconds"], summary.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0.004123, summary.GetProperty("solveSeconds").GetDouble());
    }

    [Fact]
    public void PricesAreRoundedToSixDecimals()
    {
        var json = SimulationJsonWriter.Write(Result, 0, includeLowerBound: false);

        Assert.Contains("\"pricePerHour\": 0.3,", json, StringComparison.Ordinal);
        Assert.DoesNotContain("0.30000000000000004", json, StringComparison.Ordinal);
    }

    [Fact]
    public void LowerBoundFiguresAppearOnlyWhenAskedFor()
    {
        var without = SimulationJsonWriter.Write(Result, 0, includeLowerBound: false);
        var with = SimulationJsonWriter.Write(Result, 0, includeLowerBound: true);

        Assert.DoesNotContain("lowerBoundPerHour", without, StringComparison.Ordinal);
        Assert.DoesNotContain("gapPercent", without, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(with);
        var summary = doc.RootElement.GetProperty("summary");
        Assert.Equal(0.25, summary.GetProperty("lowerBoundPerHour").GetDouble());
        Assert.Equal(20, summary.GetProperty("gapPercent").GetDouble());
    }

    [Fact]
    public void SameResultGivesSameBytes()
    {
        Assert.Equal(
            SimulationJsonWriter.Write(Result, 0.1, includeLowerBound: true),
            SimulationJsonWriter.Write(Result, 0.1, includeLowerBound: true));
    }

    [Fact]
    public void TableShowsClaimsPlacementsUnschedulableAndSummary()
    {
        using var writer = new StringWriter { NewLine = "\n" };
        SimulationTableWriter.Write(Result, 0.004, includeLowerBound: true, writer);
        var text = writer.ToString();
        var lines = text.Split('\n');

        Assert.StartsWith("NAME", lines[0], StringComparison.Ordinal);
        foreach (var header in new[] { "NODEPOOL", "TYPE", "ZONE", "CAPACITY", "$/H", "PODS", "CPU", "MEMORY" })
        {
            Assert.Contains(header, lines[0], StringComparison.Ordinal);
        }

        Assert.Contains("general-7x2kq", lines[1], StringComparison.Ordinal);
        Assert.Contains("0.3000", lines[1], StringComparison.Ordinal);
        Assert.Contains("1100m", lines[1], StringComparison.Ordinal);
        Assert.Contains("2Gi", lines[1], StringComparison.Ordinal);
        Assert.Contains("node-1", text, StringComparison.Ordinal);
        Assert.Contains("(+2 more)", text, StringComparison.Ordinal);
        Assert.Contains("default/big-0", text, StringComparison.Ordinal);
        Assert.Contains("no instance type has 64 cpu", text, StringComparison.Ordinal);
        Assert.Contains("9 pods: 8 scheduled, 1 unschedulable", text, StringComparison.Ordinal);
        Assert.Contains("lower bound $0.2500/hour, gap 20.00%", text, StringComparison.Ordinal);
        Assert.All(lines, line => Assert.Equal(line.TrimEnd(), line));
    }

    [Fact]
    public void TableColumnsAreAligned()
    {
        var table = new TableWriter("A", "LONG HEADER", "C");
        table.AddRow("wide value", "x", "last");
        using var writer = new StringWriter { NewLine = "\n" };
        table.Write(writer);

        Assert.Equal("A            LONG HEADER   C\nwide value   x             last\n", writer.ToString());
    }
}
