using System.Diagnostics;
using System.Globalization;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Benchmarks;

/// <summary>
/// <c>-- quick [case ...]</c>: one small warm-up solve, then one timed solve per case, no BenchmarkDotNet,
/// for a figure in seconds rather than minutes. Not a substitute for the real runs quoted in docs/benchmarks.md.
/// </summary>
public static class QuickRun
{
    public static int Run(IReadOnlyList<string> names, TextWriter output)
    {
        var cases = names.Count == 0
            ? SolveCase.All
            : SolveCase.All.Where(c => names.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (cases.Count == 0 || names.Any(n => !SolveCase.All.Any(c => string.Equals(c.Name, n, StringComparison.OrdinalIgnoreCase))))
        {
            output.WriteLine($"no such case; known: {string.Join(", ", SolveCase.All.Select(c => c.Name))}");
            return 2;
        }

        var failed = false;
        try
        {
            // A small solve first, so the timed ones measure the solver rather than the JIT.
            ProvisioningSolver.Solve(BenchmarkWorkload.Create(200), SolverOptions.Default);
        }
        catch (Exception ex)
        {
            output.WriteLine($"// warm-up: {ex.GetType().Name}: {ex.Message}");
        }

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
