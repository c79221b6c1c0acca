using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>Budget arithmetic as karpenter.sh/v1 documents it: counts, percentages rounded up, reasons, cron windows.</summary>
public sealed class DisruptionBudgetsTests
{
    private static NodePool Pool(params DisruptionBudget[] budgets) =>
        new NodePoolBuilder("default").Build() with { Disruption = new NodePoolDisruption(ConsolidationPolicy.WhenEmptyOrUnderutilized, TimeSpan.Zero, budgets) };

    [Theory]
    [InlineData("5%", 10, 1)]
    [InlineData("10%", 10, 1)]
    [InlineData("10%", 11, 2)]
    [InlineData("10%", 0, 0)]
    [InlineData("100%", 7, 7)]
    [InlineData("0%", 7, 0)]
    [InlineData("3", 100, 3)]
    [InlineData("0", 100, 0)]
    public void NodesAreACountOrAPercentageRoundedUp(string nodes, int count, int allowed) =>
        Assert.Equal(allowed, DisruptionBudgets.Nodes(nodes, count));

    [Fact]
    public void TheDefaultBudgetIsTenPercent() =>
        Assert.Equal(2, DisruptionBudgets.Allowed(new NodePoolBuilder("default").Build(), DisruptionReason.Underutilized, 20, DisruptionCluster.Now));

    [Fact]
    public void TheSmallestBudgetThatAppliesToTheReasonWins()
    {
        var pool = Pool(new DisruptionBudget("50%"), new DisruptionBudget("2", Reasons: ["Drifted"]), new DisruptionBudget("0", Reasons: ["Empty"]));

        Assert.Equal(5, DisruptionBudgets.Allowed(pool, DisruptionReason.Underutilized, 10, DisruptionCluster.Now));
        Assert.Equal(2, DisruptionBudgets.Allowed(pool, DisruptionReason.Drifted, 10, DisruptionCluster.Now));
        Assert.Equal(0, DisruptionBudgets.Allowed(pool, DisruptionReason.Empty, 10, DisruptionCluster.Now));
    }

    [Fact]
    public void WithoutABudgetForTheReasonNothingLimitsIt()
    {
        var pool = Pool(new DisruptionBudget("1", Reasons: ["Empty"]));

        Assert.Equal(DisruptionBudgets.Unlimited, DisruptionBudgets.Allowed(pool, DisruptionReason.Underutilized, 10, DisruptionCluster.Now));
    }

    [Theory]
    [InlineData(8, 59, false)]
    [InlineData(9, 0, true)]
    [InlineData(16, 59, true)]
    [InlineData(17, 0, false)]
    public void AScheduledBudgetIsActiveForItsDurationAfterEachOccurrence(int hour, int minute, bool active)
    {
        var budget = new DisruptionBudget("0", "0 9 * * mon-fri", TimeSpan.FromHours(8));

        Assert.Equal(active, DisruptionBudgets.IsActive(budget, new DateTimeOffset(2026, 3, 2, hour, minute, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void AWeekdayScheduleIsInactiveAtTheWeekend() =>
        Assert.Equal(false, DisruptionBudgets.IsActive(new DisruptionBudget("0", "0 9 * * mon-fri", TimeSpan.FromHours(8)), new DateTimeOffset(2026, 3, 7, 12, 0, 0, TimeSpan.Zero)));

    [Fact]
    public void MacrosAreSchedulesToo() =>
        Assert.Equal(true, DisruptionBudgets.IsActive(new DisruptionBudget("0", "@daily", TimeSpan.FromHours(1)), new DateTimeOffset(2026, 3, 2, 0, 30, 0, TimeSpan.Zero)));

    [Theory]
    [InlineData("not a cron", 1)]
    [InlineData("0 9 * * mon-fri", null)]
    public void ABrokenScheduleFailsClosed(string schedule, int? hours)
    {
        var pool = Pool(new DisruptionBudget("100%"), new DisruptionBudget("100%", schedule, hours is null ? null : TimeSpan.FromHours(hours.Value)));

        Assert.Equal(0, DisruptionBudgets.Allowed(pool, DisruptionReason.Empty, 10, DisruptionCluster.Now));
    }
}
