using System.Diagnostics;

namespace Karpenter.Orleans.Silo.Tests.Operations;

/// <summary>
/// deploy/prometheus through Prometheus' own tool: the rules load, and the unit tests of alerts.test.yml (which alert
/// pages, with which labels and text, for which series) pass. scripts/test.sh installs promtool (Debian's prometheus
/// package) when it is missing; <c>KARPO_TEST_PROMTOOL</c> names another one.
/// </summary>
public sealed class PromtoolTests
{
    private static readonly string Promtool = Environment.GetEnvironmentVariable("KARPO_TEST_PROMTOOL") is { Length: > 0 } path ? path : "/usr/bin/promtool";

    [Fact]
    public async Task The_alert_rules_load_in_Prometheus()
    {
        var output = await PromtoolAsync("check", "rules", OpsFiles.PathOf(PrometheusRules.RulesPath));

        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_alert_unit_tests_pass()
    {
        var output = await PromtoolAsync("test", "rules", OpsFiles.PathOf("deploy/prometheus/alerts.test.yml"));

        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    private static async Task<string> PromtoolAsync(params string[] args)
    {
        Assert.True(File.Exists(Promtool), $"no promtool at {Promtool}: scripts/test.sh installs Debian's prometheus package (or set KARPO_TEST_PROMTOOL)");
        var start = new ProcessStartInfo(Promtool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"promtool {string.Join(' ', args)} exited {process.ExitCode}:\n{output}");
        return output;
    }
}
