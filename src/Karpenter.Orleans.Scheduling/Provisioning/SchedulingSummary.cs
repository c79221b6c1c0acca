namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// Totals of one run. <see cref="LowerBoundPerHour"/> is the LP relaxation's cost for the pods placed
/// on new claims (when computed); <see cref="GapPercent"/> is how far the plan's new-claim cost is above it.
/// </summary>
public sealed record SchedulingSummary
{
    public int Pods { get; init; }

    public int Scheduled { get; init; }

    public int Unschedulable { get; init; }

    public int NodeClaims { get; init; }

    public double PricePerHour { get; init; }

    public double SolveSeconds { get; init; }

    public double? LowerBoundPerHour { get; init; }

    public double? GapPercent { get; init; }

    /// <summary>Cost of the first feasible (greedy) plan, before improvement.</summary>
    public double? GreedyPricePerHour { get; init; }
}
