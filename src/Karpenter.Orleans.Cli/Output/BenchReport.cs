namespace Karpenter.Orleans.Cli.Output;

/// <summary>
/// The figures one <c>karpo bench</c> run prints. Timings are wall-clock seconds of Solve alone; CPU seconds are
/// the process's CPU time during each timed solve (all threads), which a shared machine's load disturbs less.
/// </summary>
internal sealed record BenchReport
{
    public required string Workload { get; init; }

    public required int Seed { get; init; }

    public required int Pods { get; init; }

    public required int Scheduled { get; init; }

    public required int Unschedulable { get; init; }

    public required int NodeClaims { get; init; }

    public required double PricePerHour { get; init; }

    public required double? GreedyPricePerHour { get; init; }

    public required double? LowerBoundPerHour { get; init; }

    public required double? GapPercent { get; init; }

    /// <summary>Cost of the per-group packing (each pod group alone on its cheapest offering); null when it cannot place every pod.</summary>
    public required double? PerGroupPerHour { get; init; }

    /// <summary>Cost of Karpenter's first fit for the same pods; null when it schedules a different number of pods.</summary>
    public required double? FirstFitPerHour { get; init; }

    public required double BuildSeconds { get; init; }

    public required double WarmupSeconds { get; init; }

    /// <summary>The timed runs, in order.</summary>
    public required IReadOnlyList<double> RunSeconds { get; init; }

    /// <summary>CPU seconds of the timed runs, in the same order as <see cref="RunSeconds"/>.</summary>
    public required IReadOnlyList<double> RunCpuSeconds { get; init; }

    public required double LowerBoundRunSeconds { get; init; }

    public required long AllocatedBytesPerRun { get; init; }

    public required long PeakWorkingSetBytes { get; init; }

    public required long GcHeapBytes { get; init; }

    public double BestSeconds => RunSeconds.Min();

    public double MedianSeconds => Median(RunSeconds);

    public double BestCpuSeconds => RunCpuSeconds.Min();

    public double MedianCpuSeconds => Median(RunCpuSeconds);

    public double PodsPerSecondBest => PodsPerSecond(BestSeconds);

    public double PodsPerSecondMedian => PodsPerSecond(MedianSeconds);

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private double PodsPerSecond(double seconds) => seconds > 0 ? Pods / seconds : double.PositiveInfinity;
}
