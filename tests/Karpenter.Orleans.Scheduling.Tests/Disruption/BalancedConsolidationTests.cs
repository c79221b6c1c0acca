using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;
using static Karpenter.Orleans.Scheduling.Tests.Disruption.PlanAssert;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>Karpenter's Balanced policy: a move must save at least half the share of the NodePool's cost that it disrupts.</summary>
public sealed class BalancedConsolidationTests
{
    private static NodePoolDisruption Policy(ConsolidationPolicy policy) => new(policy, TimeSpan.Zero, [new DisruptionBudget("100%")]);

    /// <summary>
    /// Two l8 nodes ($0.30) nearly full with one pod each, and an s2 ($0.10) with six small pods that fit on them:
    /// deleting the s2 saves 1/7 of the pool's cost and disrupts 7/11 of its pods' cost, a score of 0.22.
    /// </summary>
    private static DisruptionCluster Crowded(ConsolidationPolicy policy)
    {
        var cluster = new DisruptionCluster().Pool(Policy(policy))
            .Node("big-1", "l8").Node("big-2", "l8").Node("small", "s2")
            .Pod("a", "6", "big-1").Pod("b", "6", "big-2");
        for (var i = 0; i < 6; i++)
        {
            cluster.Pod($"w-{i}", "200m", "small");
        }

        return cluster;
    }

    [Fact]
    public void The_score_is_the_share_of_cost_saved_over_the_share_of_disruption_caused()
    {
        Assert.Equal(0.1 / 0.7 / (7.0 / 11.0), BalancedConsolidation.Score(0.1, 0.7, 7, 11), 9);
        Assert.False(BalancedConsolidation.Approves(0.1, 0.7, 7, 11));
        Assert.True(BalancedConsolidation.Approves(0.18, 0.36, 2, 4));
        // Exactly 1/k is enough; nothing saved never is.
        Assert.True(BalancedConsolidation.Approves(0.25, 1, 5, 10));
        Assert.False(BalancedConsolidation.Approves(0, 1, 1, 10));
    }

    [Fact]
    public void Balanced_refuses_a_move_that_disrupts_most_of_the_pool_to_save_a_seventh_of_its_cost()
    {
        var plan = Crowded(ConsolidationPolicy.Balanced).Plan();

        Assert.Empty(plan.Actions);
        var blocked = Blocked(plan, "small");
        Assert.Equal(BlockReason.SavingBelowThreshold, blocked.Kind);
        Assert.Contains("Balanced", blocked.Reason, StringComparison.Ordinal);
        Assert.Contains("score 0.22", blocked.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void WhenEmptyOrUnderutilized_takes_the_same_move()
    {
        var plan = Crowded(ConsolidationPolicy.WhenEmptyOrUnderutilized).Plan();

        Assert.Equal(["small"], ActionFor(plan, "small").Nodes);
    }

    [Fact]
    public void Balanced_approves_a_move_that_saves_a_large_enough_share_of_the_cost()
    {
        // Both m4 nodes ($0.36) replaced by one s2 ($0.10): 72% of the cost saved for all of the disruption, a score of 0.72.
        var plan = new DisruptionCluster().Pool(Policy(ConsolidationPolicy.Balanced))
            .Node("m-1", "m4").Node("m-2", "m4")
            .Pod("a", "1", "m-1").Pod("b", "1", "m-2")
            .Plan();

        var action = Assert.Single(plan.Actions);
        Assert.Equal((DisruptionActionKind.Replace, 2, "s2"), (action.Kind, action.Nodes.Count, action.Replacements.Single().InstanceType));
        Assert.Equal(0.26, action.SavingPerHour, 6);
    }

    [Fact]
    public void Emptiness_is_never_scored()
    {
        var plan = new DisruptionCluster().Pool(Policy(ConsolidationPolicy.Balanced))
            .Node("empty", "s2").Node("busy-1", "l8").Node("busy-2", "l8")
            .Pod("a", "6", "busy-1").Pod("b", "6", "busy-2")
            .Plan();

        Assert.Equal(DisruptionMethod.Emptiness, ActionFor(plan, "empty").Method);
    }
}
