using System.Diagnostics;
using System.Globalization;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Benchmarks;

/// <summary>
/// <c>-- quick [case ...]</c>: one timed solve per case, no BenchmarkDotNet, for a figure in seconds
/// rather than minutes. Not a substitute for the real runs quoted in docs/benchmarks.md.
/// </summary>
public static class QuickRun
{
    public static int Run(IReadOnlyList<string> names, TextWriter output)
    {
        var cases = names.Count == 0
            ? SolveCase.All
            : SolveCase.All.Where(c => names.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (cases.Count == 0)
        {
            output.WriteLine($"no such case; known: {string.Join(", ", SolveCase.All.Select(c => c.Name))}");
            return 2;
        }

        var failed = false;
        foreach (var solveCase in cases)
        {
            try
            {
                var input = solveCase.CreateInput();
                var watch = Stopwatch.StartNew();
                var result = ProvisioningSolver.Solve(input, solveCase.Options);
                watch.Stop();
                output.WriteLine(SchedulingBenchmarks.Describe(solveCase, result));
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"   {watch.Elapsed.TotalSeconds:F3} s, {solveCase.Pods / watch.Elapsed.TotalSeconds:N0} pods/s"));
            }
            catch (Exception ex)
            {
                failed = true;
                output.WriteLine($"// {solveCase.Name}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        return failed ? 1 : 0;
    }
}
