namespace Karpenter.Orleans.Cli.Output;

/// <summary>
/// The figures of one <c>karpo bench --consolidate</c> run: the scale-in cluster, what the disruption planner
/// made of it, and a fresh solve of the remaining pods as the yardstick. Timings are wall-clock seconds, with the
/// process's CPU seconds over the same span next to the plans'.
/// </summary>
internal sealed record ConsolidationBenchReport
{
    public required string Workload { get; init; }

    public required int Seed { get; init; }

    public required int NodesRequested { get; init; }

    public required double ScaleIn { get; init; }

    public required int PodsBefore { get; init; }

    public required int PodsDeleted { get; init; }

    public required int NodesBefore { get; init; }

    /// <summary>Nodes that passed Karpenter's candidate filter (managed, initialized, no do-not-disrupt, PDBs allow it).</summary>
    public required int Candidates { get; init; }

    /// <summary>Per method in the planner's order: how many actions, and how many nodes they take away.</summary>
    public required IReadOnlyList<(string Method, int Actions, int Nodes)> ActionsByMethod { get; init; }

    public required int Replacements { get; init; }

    public required int NodesAfter { get; init; }

    public required int Blocked { get; init; }

    public required double PricePerHourBefore { get; init; }

    public required double PricePerHourAfter { get; init; }

    public required double FreshPricePerHour { get; init; }

    public required int FreshNodeClaims { get; init; }

    public required int FreshUnschedulable { get; init; }

    public required double GenerateSeconds { get; init; }

    public required double FreshSolveSeconds { get; init; }

    /// <summary>The first plan in this process (JIT and first-touch costs included).</summary>
    public required double ColdPlanSeconds { get; init; }

    /// <summary>The timed plans after it, in order.</summary>
    public required IReadOnlyList<double> WarmPlanSeconds { get; init; }

    /// <summary>CPU seconds of the process (every thread) during the cold plan.</summary>
    public required double ColdPlanCpuSeconds { get; init; }

    /// <summary>CPU seconds of the process during each warm plan, in the order of <see cref="WarmPlanSeconds"/>.</summary>
    public required IReadOnlyList<double> WarmPlanCpuSeconds { get; init; }

    public required long PeakWorkingSetBytes { get; init; }

    public int PodsRemaining => PodsBefore - PodsDeleted;

    /// <summary>After consolidation ÷ fresh solve: 1.0 means consolidation reached what a new cluster would cost.</summary>
    public double AfterOverFresh => FreshPricePerHour > 0 ? PricePerHourAfter / FreshPricePerHour : double.NaN;

    public double WarmPlanMedianSeconds
    {
        get
        {
            var sorted = WarmPlanSeconds.Order().ToArray();
            var mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }
}
