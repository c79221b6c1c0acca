using Karpenter.Orleans.Scheduling.Tests.TestSupport;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

public sealed class BenchCommandTests
{
    [Fact]
    public void SmallBenchmarkPrintsItsFiguresAsJson()
    {
        var run = Karpo.Run("bench", "--pods", "50", "--repeat", "1", "-o", "json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        var root = doc.RootElement;
        Assert.Equal("benchmark", root.GetProperty("workload").GetString());
        Assert.Equal(50, root.GetProperty("pods").GetInt32());
        Assert.Equal(1, root.GetProperty("runSeconds").GetArrayLength());
        var cpu = root.GetProperty("runCpuSeconds");
        Assert.Equal(1, cpu.GetArrayLength());
        // The process's CPU clock ticks coarsely (10 ms on Linux): a 50-pod solve may read zero.
        Assert.True(cpu[0].GetDouble() >= 0, "CPU seconds are never negative");
        Assert.Equal(cpu[0].GetDouble(), root.GetProperty("medianCpuSeconds").GetDouble());
        foreach (var name in new[] { "nodeClaims", "pricePerHour", "greedyPricePerHour", "lowerBoundPerHour", "gapPercent", "podsPerSecondBest", "podsPerSecondMedian", "peakWorkingSetBytes" })
        {
            Assert.True(root.TryGetProperty(name, out _), name);
        }
    }

    [Fact]
    public void SmallBenchmarkPrintsATable()
    {
        var run = Karpo.Run("bench", "--pods", "20", "--repeat", "2");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("pods/s", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("LP lower bound $/hour", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void AwsWorkloadWithMissingCatalogExitsOne()
    {
        using var dir = new ScratchFolder();
        var catalog = Path.Combine(dir.Path, "missing.json");

        var run = Karpo.Run("bench", "--workload", "aws", "--instance-types", catalog, "--pods", "10");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(catalog, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AwsWorkloadWithoutHostnameConstraintsRunsAndNamesItself()
    {
        var run = Karpo.Run("bench", "--workload", "aws-no-hostname", "--instance-types", AwsCatalog(), "--pods", "300", "--repeat", "1", "-o", "json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Equal("aws-no-hostname", doc.RootElement.GetProperty("workload").GetString());
        Assert.Equal(300, doc.RootElement.GetProperty("pods").GetInt32());
    }

    // Tests may run from an artifacts folder outside the repository: the catalog is found from this source file.
    private static string AwsCatalog([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", "data", "aws-us-east-1-instance-types.json"));
}
