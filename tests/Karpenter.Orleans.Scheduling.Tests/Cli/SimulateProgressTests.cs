using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>Long runs say on stderr what they are doing (when stderr is a terminal, or KARPO_PROGRESS=1); the plan on stdout is the same.</summary>
public sealed class SimulateProgressTests
{
    [Fact]
    public void With_progress_on_each_step_is_one_timed_stderr_line_and_stdout_is_unchanged()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("m.yaml", CliFixtures.OnePod);
        string[] args = ["simulate", "--instance-types", catalog, "-f", manifests, "-o", "json"];

        var quiet = Karpo.RunWithVariables(new Dictionary<string, string>(), args);
        var shown = Karpo.RunWithVariables(new Dictionary<string, string> { ["KARPO_PROGRESS"] = "1" }, args);
        var off = Karpo.RunWithVariables(new Dictionary<string, string> { ["KARPO_PROGRESS"] = "0" }, args);

        Assert.Equal(0, shown.ExitCode);
        Assert.DoesNotContain("karpo:", quiet.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("karpo:", off.Stderr, StringComparison.Ordinal);
        var steps = shown.StderrLines.Where(l => l.StartsWith("karpo: ", StringComparison.Ordinal)).ToList();
        Assert.Collection(steps,
            l => Assert.Equal("karpo: reading the catalog catalog.json ...", l),
            l => Assert.Matches(@"^karpo: reading the catalog catalog\.json: \d+\.\d\d s$", l),
            l => Assert.Equal("karpo: reading manifests ...", l),
            l => Assert.Matches(@"^karpo: reading manifests: \d+\.\d\d s$", l),
            l => Assert.Equal("karpo: solving for 1 pods ...", l),
            l => Assert.Matches(@"^karpo: solving for 1 pods: \d+\.\d\d s$", l));

        // The plan itself does not depend on progress (solve times aside).
        static string WithoutTimes(string json) => System.Text.RegularExpressions.Regex.Replace(json, "\"solveSeconds\": [0-9.eE+-]+", "");
        Assert.Equal(WithoutTimes(quiet.Stdout), WithoutTimes(shown.Stdout));
    }
}
