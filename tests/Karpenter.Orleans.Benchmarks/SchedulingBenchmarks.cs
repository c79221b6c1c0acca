using System.Globalization;
using BenchmarkDotNet.Attributes;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Benchmarks;

/// <summary>
/// Karpenter's scheduling benchmark cases plus the AWS mix. Inputs are built in the per-case
/// [GlobalSetup]; only <see cref="ProvisioningSolver.Solve"/> is measured. Program passes <see cref="ShortRunConfig"/>.
/// </summary>
[MemoryDiagnoser]
public class SchedulingBenchmarks
{
    private SolveCase? _case;
    private SchedulingInput? _input;
    private SchedulingResult? _last;

    [GlobalSetup(Target = nameof(Scheduling1000))]
    public void SetupScheduling1000() => Prepare(SolveCase.Scheduling1000);

    [GlobalSetup(Target = nameof(Scheduling5000))]
    public void SetupScheduling5000() => Prepare(SolveCase.Scheduling5000);

    [GlobalSetup(Target = nameof(Scheduling10000))]
    public void SetupScheduling10000() => Prepare(SolveCase.Scheduling10000);

    [GlobalSetup(Target = nameof(Scheduling20000))]
    public void SetupScheduling20000() => Prepare(SolveCase.Scheduling20000);

    [GlobalSetup(Target = nameof(RespectPreferences4000))]
    public void SetupRespectPreferences4000() => Prepare(SolveCase.RespectPreferences4000);

    [GlobalSetup(Target = nameof(IgnorePreferences4000))]
    public void SetupIgnorePreferences4000() => Prepare(SolveCase.IgnorePreferences4000);

    [GlobalSetup(Target = nameof(AwsMixed10000))]
    public void SetupAwsMixed10000() => Prepare(SolveCase.AwsMixed10000);

    [GlobalSetup(Target = nameof(AwsNoHostname10000))]
    public void SetupAwsNoHostname10000() => Prepare(SolveCase.AwsNoHostname10000);

    [GlobalSetup(Target = nameof(AwsNoTopology10000))]
    public void SetupAwsNoTopology10000() => Prepare(SolveCase.AwsNoTopology10000);

    [Benchmark, PodCount(1000)]
    public SchedulingResult Scheduling1000() => Solve();

    [Benchmark, PodCount(5000)]
    public SchedulingResult Scheduling5000() => Solve();

    [Benchmark, PodCount(10000)]
    public SchedulingResult Scheduling10000() => Solve();

    [Benchmark, PodCount(20000)]
    public SchedulingResult Scheduling20000() => Solve();

    [Benchmark, PodCount(4000)]
    public SchedulingResult RespectPreferences4000() => Solve();

    [Benchmark, PodCount(4000)]
    public SchedulingResult IgnorePreferences4000() => Solve();

    [Benchmark, PodCount(10000)]
    public SchedulingResult AwsMixed10000() => Solve();

    [Benchmark, PodCount(10000)]
    public SchedulingResult AwsNoHostname10000() => Solve();

    [Benchmark, PodCount(10000)]
    public SchedulingResult AwsNoTopology10000() => Solve();

    /// <summary>Prints what the last solve produced, so a fast but wrong solver shows in the log.</summary>
    [GlobalCleanup]
    public void Report()
    {
        if (_case is not null && _last is not null)
        {
            Console.WriteLine(Describe(_case, _last));
        }
    }

    /// <summary>One line: case, pods, claims, unschedulable, $/h (Karpenter's benchmark fails on any unschedulable pod).</summary>
    public static string Describe(SolveCase solveCase, SchedulingResult result) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"// {solveCase.Name}: pods={result.Summary.Pods} scheduled={result.Summary.Scheduled} unschedulable={result.Summary.Unschedulable} nodeClaims={result.Summary.NodeClaims} pricePerHour={result.Summary.PricePerHour:F3}");

    private void Prepare(SolveCase solveCase)
    {
        _case = solveCase;
        _input = solveCase.CreateInput();
    }

    private SchedulingResult Solve() =>
        _last = ProvisioningSolver.Solve(_input ?? throw new InvalidOperationException("GlobalSetup did not run"), _case!.Options);
}
