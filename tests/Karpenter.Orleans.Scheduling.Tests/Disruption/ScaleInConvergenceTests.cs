using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>
/// The goal at a size a test can afford: after a 75% scale-in of Karpenter's benchmark workload
/// (400 nodes here; docs/disruption.md has the 2,000-node figures), converging the plan gets the bill within
/// 10% of what a fresh solve of the surviving pods costs.
/// </summary>
public sealed class ScaleInConvergenceTests
{
    [Fact]
    public void AfterAScaleInConvergenceCostsWithinTenPercentOfAFreshSolve()
    {
        var cluster = ScaleInCluster.Create(pods: 2000, keep: 0.25);
        var fresh = ProvisioningSolver.Solve(cluster.Remaining);
        Assert.Empty(fresh.Unschedulable);

        var plan = DisruptionPlanner.PlanToConvergence(cluster.Input);

        Assert.True(plan.Summary.PricePerHourBefore > 3 * fresh.Summary.PricePerHour, "the scale-in left too little to consolidate");
        Assert.True(
            plan.Summary.PricePerHourAfter <= 1.10 * fresh.Summary.PricePerHour,
            $"after {plan.Summary.PricePerHourAfter:F2}/h, fresh solve {fresh.Summary.PricePerHour:F2}/h");
        PlanAssert.EveryNodeAccountedFor(cluster.Input, plan);
    }
}
