using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Cli.Output;

/// <summary>The plan's saving on Karpenter's first fit for the same pods, in $/hour and as a share of the first fit's price.</summary>
internal static class KarpenterComparison
{
    public static (double PerHour, double? Percent) Saving(SchedulingSummary summary, FirstFitPlan karpenter)
    {
        var perHour = Math.Round(karpenter.PricePerHour - summary.PricePerHour, 6);
        return (perHour, karpenter.PricePerHour > 0 ? Math.Round(perHour / karpenter.PricePerHour * 100, 2) : null);
    }
}
