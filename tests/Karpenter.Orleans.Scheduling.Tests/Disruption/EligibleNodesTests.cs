using k8s.Models;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>
/// What the plan reports for Karpenter's disruption metrics: the candidates of each voluntary method before
/// the pass acts (the eligible-nodes gauge) and the consolidation methods that stopped at their limit (the
/// consolidation-timeouts counter).
/// </summary>
public sealed class EligibleNodesTests
{
    private static readonly NodePoolDisruption Open = new(ConsolidationPolicy.WhenEmptyOrUnderutilized, TimeSpan.Zero, [new DisruptionBudget("100%")]);

    private static DisruptionCluster Cluster() => new DisruptionCluster()
        .Pool(Open)
        .Node("empty", "m4")
        .Node("drifted", "m4", n => n with { Drifted = "AMI changed" })
        .Node("light-1", "m4").Node("light-2", "m4")
        .Node("held", "m4")
        .Pod("d-0", "1", "drifted").Pod("a-0", "500m", "light-1").Pod("b-0", "500m", "light-2")
        .Pod("h-0", "500m", "held", edit: p => p.Metadata.Annotations = new Dictionary<string, string> { [WellKnownLabels.DoNotDisruptAnnotation] = "true" });

    [Fact]
    public void Each_reason_counts_the_candidates_of_its_method_before_the_pass_acts()
    {
        var plan = Cluster().Plan();

        // The held node is no candidate of any method; the drifted node is one of consolidation too, as in Karpenter.
        Assert.Equal(new Dictionary<DisruptionReason, int> { [DisruptionReason.Empty] = 1, [DisruptionReason.Drifted] = 1, [DisruptionReason.Underutilized] = 3 },
            plan.EligibleNodes);
        Assert.NotEmpty(plan.Actions);
        Assert.Empty(plan.StoppedAtLimit);
    }

    [Fact]
    public void Convergence_reports_the_candidates_of_its_first_pass()
    {
        var input = Cluster().Input();

        Assert.Equal(DisruptionPlanner.Plan(input).EligibleNodes, DisruptionPlanner.PlanToConvergence(input).EligibleNodes);
    }

    [Fact]
    public void Consolidation_limits_reached_with_candidates_left_are_reported_in_method_order()
    {
        var plan = Cluster().Plan(new DisruptionOptions { SingleNodeCandidateLimit = 0, MultiNodeCandidateLimit = 0 });

        Assert.Equal([DisruptionMethod.MultiNodeConsolidation, DisruptionMethod.SingleNodeConsolidation], plan.StoppedAtLimit);
        Assert.DoesNotContain(plan.Actions, a => a.Method is DisruptionMethod.SingleNodeConsolidation or DisruptionMethod.MultiNodeConsolidation);
    }

    [Fact]
    public void A_multi_node_limit_reached_with_candidates_left_is_reported()
    {
        var plan = Cluster().Plan(new DisruptionOptions { MultiNodeCandidateLimit = 1 });

        Assert.Contains(DisruptionMethod.MultiNodeConsolidation, plan.StoppedAtLimit);
    }
}
