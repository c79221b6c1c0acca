using System.Text.Json;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>karpo bench says on stderr what it is doing, like simulate (when stderr is a terminal, or KARPO_PROGRESS=1); its figures on stdout are unchanged.</summary>
public sealed class BenchProgressTests
{
    [Fact]
    public void With_progress_each_bench_step_is_one_timed_stderr_line_and_stdout_keeps_its_figures()
    {
        string[] args = ["bench", "--pods", "30", "--repeat", "2", "-o", "json"];

        var quiet = Karpo.RunWithVariables(new Dictionary<string, string>(), args);
        var shown = Karpo.RunWithVariables(new Dictionary<string, string> { ["KARPO_PROGRESS"] = "1" }, args);
        var off = Karpo.RunWithVariables(new Dictionary<string, string> { ["KARPO_PROGRESS"] = "0" }, args);

        Assert.Equal(0, shown.ExitCode);
        Assert.DoesNotContain("karpo:", quiet.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("karpo:", off.Stderr, StringComparison.Ordinal);
        var steps = shown.StderrLines.Where(l => l.StartsWith("karpo: ", StringComparison.Ordinal)).ToList();
        Assert.Collection(steps,
            l => Assert.Equal("karpo: generating the benchmark workload of 30 pods ...", l),
            l => Assert.Matches(@"^karpo: generating the benchmark workload of 30 pods: \d+\.\d\d s$", l),
            l => Assert.Equal("karpo: warm-up solve ...", l),
            l => Assert.Matches(@"^karpo: warm-up solve: \d+\.\d\d s$", l),
            l => Assert.Equal("karpo: timed run 1 of 2 ...", l),
            l => Assert.Matches(@"^karpo: timed run 1 of 2: \d+\.\d\d s$", l),
            l => Assert.Equal("karpo: timed run 2 of 2 ...", l),
            l => Assert.Matches(@"^karpo: timed run 2 of 2: \d+\.\d\d s$", l),
            l => Assert.Equal("karpo: solve with the lower bound ...", l),
            l => Assert.Matches(@"^karpo: solve with the lower bound: \d+\.\d\d s$", l));

        // stdout is the report alone, the same plan figures whether or not progress is shown (times and memory aside).
        using var withProgress = JsonDocument.Parse(shown.Stdout);
        using var without = JsonDocument.Parse(quiet.Stdout);
        foreach (var name in new[] { "workload", "pods", "scheduled", "nodeClaims", "pricePerHour", "lowerBoundPerHour" })
        {
            Assert.Equal(without.RootElement.GetProperty(name).GetRawText(), withProgress.RootElement.GetProperty(name).GetRawText());
        }
    }

    [Fact]
    public void With_progress_the_consolidation_bench_reports_its_steps_too()
    {
        var run = Karpo.RunWithVariables(new Dictionary<string, string> { ["KARPO_PROGRESS"] = "1" },
            "bench", "--consolidate", "--nodes", "20", "--repeat", "1", "-o", "json");

        Assert.Equal(0, run.ExitCode);
        var started = run.StderrLines.Where(l => l.StartsWith("karpo: ", StringComparison.Ordinal) && l.EndsWith(" ...", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["karpo: generating a cluster of about 20 nodes ...", "karpo: cold plan ...", "karpo: warm plan 1 of 1 ...", "karpo: provisioning the remaining pods from scratch ..."],
            started);
        using var report = JsonDocument.Parse(run.Stdout);
        Assert.Equal(JsonValueKind.Object, report.RootElement.ValueKind);
    }
}
