namespace Karpenter.Orleans.Grains.Shared;

/// <summary>Counts of one spot pool, decayed to <see cref="At"/>, plus the raw totals for display.</summary>
public sealed class SpotPoolCounts
{
    public double Launches { get; set; }

    public double Interruptions { get; set; }

    public int TotalLaunches { get; set; }

    public int TotalInterruptions { get; set; }

    public DateTimeOffset At { get; set; }
}
