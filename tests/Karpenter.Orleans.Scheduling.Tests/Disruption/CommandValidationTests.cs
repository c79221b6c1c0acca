using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;
using static Karpenter.Orleans.Scheduling.Tests.Disruption.PlanAssert;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>
/// Karpenter's validation of a consolidation command after its validation period: the command is re-checked
/// against the cluster as it is then and dropped (or, for emptiness, trimmed) when it no longer holds.
/// </summary>
public sealed class CommandValidationTests
{
    private static NodePoolDisruption Disruption(string budget = "100%", TimeSpan? consolidateAfter = null) =>
        new(ConsolidationPolicy.WhenEmptyOrUnderutilized, consolidateAfter ?? TimeSpan.Zero, [new DisruptionBudget(budget)]);

    /// <summary>Two nodes where "light" is deleted onto "full" (room for 1.5 cpu there).</summary>
    private static DisruptionCluster Light(string budget = "100%") => new DisruptionCluster()
        .Pool(Disruption(budget))
        .Node("full", "m4").Node("light", "m4")
        .Pod("a", "2", "full").Pod("b", "500m", "light").Pod("c", "250m", "light");

    [Fact]
    public void A_command_checked_against_the_unchanged_cluster_goes_ahead_as_chosen()
    {
        var cluster = Light();
        var command = ActionFor(cluster.Plan(), "light");

        var result = DisruptionPlanner.Revalidate(command, cluster.Input());

        Assert.True(result.IsValid);
        Assert.Same(command, result.Command);
    }

    [Fact]
    public void A_delete_is_dropped_when_the_room_its_pods_were_to_take_filled_up_meanwhile()
    {
        var command = ActionFor(Light().Plan(), "light");

        var later = Light().Pod("d", "1500m", "full");
        var result = DisruptionPlanner.Revalidate(command, later.Input());

        Assert.Null(result.Command);
        var why = Assert.Single(result.Invalid);
        Assert.Equal((BlockReason.Invalidated, "light"), (why.Kind, why.Node));
        Assert.Contains("no longer fit", why.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_candidate_nominated_for_a_pending_pod_meanwhile_drops_the_command()
    {
        var command = ActionFor(Light().Plan(), "light");

        var later = new DisruptionCluster()
            .Pool(Disruption())
            .Node("full", "m4").Node("light", "m4", n => n with { Nominated = true })
            .Pod("a", "2", "full").Pod("b", "500m", "light").Pod("c", "250m", "light");
        var result = DisruptionPlanner.Revalidate(command, later.Input());

        Assert.Null(result.Command);
        Assert.Equal(BlockReason.Nominated, Assert.Single(result.Invalid).Kind);
    }

    [Fact]
    public void A_budget_closed_meanwhile_drops_the_command()
    {
        var command = ActionFor(Light().Plan(), "light");

        var result = DisruptionPlanner.Revalidate(command, Light(budget: "0").Input());

        Assert.Null(result.Command);
        Assert.Equal(BlockReason.Budget, Assert.Single(result.Invalid).Kind);
    }

    [Fact]
    public void A_pod_bound_or_removed_inside_consolidateAfter_drops_the_command()
    {
        var command = ActionFor(Light().Plan(), "light");

        var later = new DisruptionCluster()
            .Pool(Disruption(consolidateAfter: TimeSpan.FromMinutes(1)))
            .Node("full", "m4").Node("light", "m4", n => n with { LastPodEventAt = DisruptionCluster.Now.AddSeconds(-10) })
            .Pod("a", "2", "full").Pod("b", "500m", "light").Pod("c", "250m", "light");
        var result = DisruptionPlanner.Revalidate(command, later.Input());

        Assert.Null(result.Command);
        Assert.Equal(BlockReason.ConsolidateAfter, Assert.Single(result.Invalid).Kind);
    }

    [Fact]
    public void An_emptiness_command_keeps_the_nodes_still_empty_and_drops_one_a_pod_was_bound_to()
    {
        static DisruptionCluster Empties() => new DisruptionCluster().Pool(Disruption()).Node("empty-1", "m4").Node("empty-2", "s2").Node("busy", "s2").Pod("web-0", "1500m", "busy");
        var command = Empties().Plan().Actions[0];
        Assert.Equal(DisruptionMethod.Emptiness, command.Method);

        var result = DisruptionPlanner.Revalidate(command, Empties().Pod("web-1", "500m", "empty-2").Input());

        Assert.Equal(["empty-1"], result.Command!.Nodes);
        Assert.Equal(0.18, result.Command.SavingPerHour, 6);
        var why = Assert.Single(result.Invalid);
        Assert.Equal((BlockReason.Invalidated, "empty-2"), (why.Kind, why.Node));
    }

    [Fact]
    public void A_replace_is_dropped_when_the_pods_now_fit_without_launching_anything()
    {
        static DisruptionCluster Two() => new DisruptionCluster().Pool(Disruption()).Node("m-1", "m4").Node("m-2", "m4").Pod("a", "2500m", "m-1").Pod("b", "2500m", "m-2");
        var command = Assert.Single(Two().Plan().Actions);
        Assert.Equal(DisruptionActionKind.Replace, command.Kind);

        // A big node joined meanwhile (its claim not a candidate yet): the pods would fit there for nothing.
        var later = Two().Node("l-1", "l8", n => n with { InitializedAt = DisruptionCluster.Now, LastPodEventAt = DisruptionCluster.Now })
            .Pod("x", "1", "l-1");
        var result = DisruptionPlanner.Revalidate(command, later.Input());

        Assert.Null(result.Command);
        Assert.Contains("a delete would do", Assert.Single(result.Invalid).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_that_left_the_cluster_drops_the_command()
    {
        var command = ActionFor(Light().Plan(), "light");
        var later = new DisruptionCluster().Pool(Disruption()).Node("full", "m4").Pod("a", "2", "full");

        var result = DisruptionPlanner.Revalidate(command, later.Input());

        Assert.Null(result.Command);
        Assert.Contains("left the cluster", Assert.Single(result.Invalid).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Drift_expiration_and_interruption_are_not_validated()
    {
        var command = ActionFor(Light().Plan(), "light") with { Method = DisruptionMethod.Drift, Reason = DisruptionReason.Drifted };

        var result = DisruptionPlanner.Revalidate(command, Light(budget: "0").Input());

        Assert.True(result.IsValid);
    }
}
