using System.Diagnostics;
using System.Globalization;
using Karpenter.Orleans.CloudProviders.Simulated;
using Xunit.Abstractions;

namespace Karpenter.Orleans.Fault.Tests;

/// <summary>After a fault: keeps the agents and their clusters going until the invariants hold (or the deadline), and records the run.</summary>
internal static class Recovery
{
    public static async Task<bool> RecordAsync(InvariantReport report, ITestOutputHelper output, string scenario, string fault, bool? killed,
        Uri silo, SimulatedCloudProvider cloud, IReadOnlyList<TestAgent> agents, IEnumerable<SiloProcess> logs)
    {
        var clock = Stopwatch.StartNew();
        using var admin = new KarpoApi(silo, FaultSuite.AdminToken);
        var results = await Invariants.AwaitAsync(admin, cloud, agents, FaultSuite.RecoveryTimeout, async () =>
        {
            var claims = await admin.GetListAsync("/api/v1/nodeclaims");
            foreach (var agent in agents)
            {
                agent.JoinAndBind(claims, await admin.GetListAsync($"/api/v1/clusters/{agent.ClusterId}/pending"));
            }
        });
        results[FaultSuite.CleanLog] = string.Join("; ", logs.Select(l => FaultSuite.LogProblems(l.Log)).OfType<string>()) is { Length: > 0 } bad ? bad : null;
        if (killed is { } k)
        {
            results["killed at the point"] = k ? null : "the silo was not killed at " + fault;
        }

        report.Add(scenario, fault, killed == true, results, clock.Elapsed);
        var passed = results.Values.All(v => v is null);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{scenario} / {fault}: killed={killed}, {(passed ? "all invariants hold" : string.Join("; ", results.Where(r => r.Value is not null).Select(r => $"{r.Key}: {r.Value}")))} ({clock.Elapsed.TotalSeconds:0.0} s)");
        output.WriteLine(line);
        report.Progress(line);
        return passed;
    }
}
