using System.Text.Json;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary><c>karpo bench --consolidate</c>: its figures add up, and its options are checked.</summary>
public sealed class BenchConsolidateTests
{
    [Fact]
    public void SmallConsolidationBenchmarkPrintsConsistentFiguresAsJson()
    {
        var run = Karpo.Run("bench", "--consolidate", "--nodes", "30", "--repeat", "2", "--seed", "3", "-o", "json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        var root = doc.RootElement;
        Assert.Equal("benchmark", root.GetProperty("workload").GetString());
        Assert.Equal(3, root.GetProperty("seed").GetInt32());
        Assert.Equal(2, root.GetProperty("warmPlanSeconds").GetArrayLength());
        Assert.Equal(2, root.GetProperty("warmPlanCpuSeconds").GetArrayLength());
        Assert.True(root.GetProperty("coldPlanCpuSeconds").GetDouble() > 0, "the cold plan took no CPU time");
        Assert.All(root.GetProperty("warmPlanCpuSeconds").EnumerateArray(), cpu => Assert.True(cpu.GetDouble() >= 0));

        var before = root.GetProperty("nodesBefore").GetInt32();
        Assert.InRange(before, 27, 33);
        Assert.InRange(root.GetProperty("candidates").GetInt32(), 0, before);
        var methods = root.GetProperty("actionsByMethod").EnumerateObject().ToList();
        Assert.Equal(["emptiness", "drift", "expiration", "interruption", "multi-node", "single-node"], methods.Select(m => m.Name));
        var removed = methods.Sum(m => m.Value.GetProperty("nodes").GetInt32());
        Assert.Equal(before - removed + root.GetProperty("replacements").GetInt32(), root.GetProperty("nodesAfter").GetInt32());

        Assert.Equal(root.GetProperty("podsBefore").GetInt32() - root.GetProperty("podsDeleted").GetInt32(), root.GetProperty("podsRemaining").GetInt32());
        var after = root.GetProperty("pricePerHourAfter").GetDouble();
        var fresh = root.GetProperty("freshPricePerHour").GetDouble();
        Assert.True(after <= root.GetProperty("pricePerHourBefore").GetDouble() + 1e-6);
        Assert.Equal(0, root.GetProperty("freshUnschedulable").GetInt32());
        Assert.Equal(after / fresh, root.GetProperty("afterOverFresh").GetDouble(), 4);
    }

    [Fact]
    public void ConsolidationBenchmarkPrintsATable()
    {
        var run = Karpo.Run("bench", "--consolidate", "--nodes", "20", "--repeat", "1");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("nodes before", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("actions: emptiness", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("after ÷ fresh", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("plan, cold", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("plan, cold, CPU", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bench", "--consolidate", "--workload", "preferences")]
    [InlineData("bench", "--nodes", "10")]
    [InlineData("bench", "--scale-in", "0.5")]
    [InlineData("bench", "--consolidate", "--scale-in", "1")]
    [InlineData("bench", "--consolidate", "--scale-in", "-0.2")]
    [InlineData("bench", "--consolidate", "--nodes", "0")]
    public void BadConsolidationOptionsAreUsageErrors(params string[] args)
    {
        var run = Karpo.Run(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
    }
}
