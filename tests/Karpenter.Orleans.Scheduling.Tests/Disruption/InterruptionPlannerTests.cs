using k8s.Models;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;
using static Karpenter.Orleans.Scheduling.Tests.Disruption.PlanAssert;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>
/// Each kind of cloud notice as Karpenter's interruption controller treats it: a spot interruption warning, an
/// AWS Health scheduled change and an EC2 instance stopping take the node away whatever would hold a voluntary
/// disruption (budgets, do-not-disrupt, PodDisruptionBudgets), with the pods' new capacity launched at once; a
/// rebalance recommendation is only advice, acted on (Karpenter does not act at all) as a voluntary
/// disruption that every one of those blocks holds.
/// </summary>
public sealed class InterruptionPlannerTests
{
    public static readonly TheoryData<InterruptionType> Forceful =
        [InterruptionType.SpotInterruption, InterruptionType.ScheduledChange, InterruptionType.InstanceStopping];

    private static NodePoolDisruption Budget(string nodes) =>
        new(ConsolidationPolicy.WhenEmptyOrUnderutilized, TimeSpan.Zero, [new DisruptionBudget(nodes)]);

    private static ClusterNode Noticed(ClusterNode node, InterruptionType type, bool nodeDoNotDisrupt = false)
    {
        if (nodeDoNotDisrupt)
        {
            node.Node.Metadata.Annotations = new Dictionary<string, string> { [WellKnownLabels.DoNotDisruptAnnotation] = "true" };
        }

        return node with { Interruption = new NodeInterruption(type, DisruptionCluster.Now.AddMinutes(2)) };
    }

    private static void DoNotDisrupt(V1Pod pod) =>
        pod.Metadata.Annotations = new Dictionary<string, string> { [WellKnownLabels.DoNotDisruptAnnotation] = "true" };

    [Theory]
    [MemberData(nameof(Forceful))]
    public void A_hard_notice_replaces_the_node_at_once_through_a_zero_budget_do_not_disrupt_and_a_pdb_allowing_nothing(InterruptionType type)
    {
        var plan = new DisruptionCluster()
            .Pool(Budget("0"))
            .Node("doomed", "m4", n => Noticed(n, type, nodeDoNotDisrupt: true))
            .Pod("db-0", "1500m", "doomed", p => p.Label("app", "db"), DoNotDisrupt)
            .Pod("db-1", "1500m", "doomed", p => p.Label("app", "db"))
            .Pdb("db", "db", maxUnavailable: "0")
            .Plan();

        var action = Assert.Single(plan.Actions);
        Assert.Equal((DisruptionMethod.Interruption, DisruptionReason.Interrupted, DisruptionActionKind.Replace), (action.Method, action.Reason, action.Kind));
        Assert.Equal(["doomed"], action.Nodes);
        // The pods' new home is launched now, before the drain: both land on the one replacement.
        var replacement = Assert.Single(action.Replacements);
        Assert.Equal([new PodMove("default/db-0", replacement.Name), new PodMove("default/db-1", replacement.Name)], action.Moves.OrderBy(m => m.Pod, StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Forceful))]
    public void A_hard_notice_for_an_empty_node_deletes_it_without_a_replacement(InterruptionType type)
    {
        var plan = new DisruptionCluster()
            .Pool(Budget("0"))
            .Node("doomed", "m4", n => Noticed(n, type))
            .Node("busy", "m4")
            .Pod("web-0", "3", "busy")
            .Plan();

        var action = Assert.Single(plan.Actions);
        Assert.Equal((DisruptionMethod.Interruption, DisruptionActionKind.Delete), (action.Method, action.Kind));
        Assert.Equal(["doomed"], action.Nodes);
        Assert.Empty(action.Replacements);
    }

    [Theory]
    [MemberData(nameof(Forceful))]
    public void A_hard_notice_for_a_node_karpenter_does_not_manage_is_not_acted_on(InterruptionType type)
    {
        var plan = new DisruptionCluster()
            .Pool(Budget("100%"))
            .Node("byo", "m4", n => Noticed(n, type) with { NodeClaim = null })
            .Pod("web-0", "1500m", "byo")
            .Plan();

        Assert.Empty(plan.Actions);
        Assert.Equal(BlockReason.NotManaged, Blocked(plan, "byo").Kind);
    }

    [Theory]
    [MemberData(nameof(Forceful))]
    public void The_pods_of_a_node_going_away_are_never_moved_onto_another_node_going_away(InterruptionType type)
    {
        // Two noticed nodes with room for each other's pods: the plan must not count on either.
        var plan = new DisruptionCluster()
            .Pool(Budget("100%"))
            .Node("doomed-1", "m4", n => Noticed(n, type))
            .Node("doomed-2", "m4", n => Noticed(n, type))
            .Pod("a", "1", "doomed-1").Pod("b", "1", "doomed-2")
            .Plan();

        var gone = plan.Actions.SelectMany(a => a.Nodes).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(["doomed-1", "doomed-2"], gone.Order(StringComparer.Ordinal));
        Assert.All(plan.Actions.SelectMany(a => a.Moves), m => Assert.DoesNotContain(m.To, gone));
        Assert.All(plan.Actions, a => Assert.Equal(DisruptionMethod.Interruption, a.Method));
    }

    [Fact]
    public void A_rebalance_recommendation_is_held_by_a_pod_with_do_not_disrupt()
    {
        var plan = new DisruptionCluster()
            .Pool(Budget("100%"))
            .Node("advised", "m4", n => Noticed(n, InterruptionType.RebalanceRecommendation))
            .Pod("db-0", "1500m", "advised", edit: DoNotDisrupt)
            .Plan();

        Assert.Empty(plan.Actions);
        var blocked = Blocked(plan, "advised");
        Assert.Equal(BlockReason.PodDoNotDisrupt, blocked.Kind);
        Assert.Contains("default/db-0", blocked.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rebalance_recommendation_is_held_by_a_pdb_that_allows_no_disruption()
    {
        var plan = new DisruptionCluster()
            .Pool(Budget("100%"))
            .Node("advised", "m4", n => Noticed(n, InterruptionType.RebalanceRecommendation))
            .Pod("db-0", "1500m", "advised", p => p.Label("app", "db"))
            .Pdb("db", "db", maxUnavailable: "0")
            .Plan();

        Assert.Empty(plan.Actions);
        Assert.Equal(BlockReason.PodDisruptionBudget, Blocked(plan, "advised").Kind);
    }

    [Fact]
    public void A_rebalance_recommendation_is_held_by_a_node_with_do_not_disrupt()
    {
        var plan = new DisruptionCluster()
            .Pool(Budget("100%"))
            .Node("advised", "m4", n => Noticed(n, InterruptionType.RebalanceRecommendation, nodeDoNotDisrupt: true))
            .Pod("web-0", "1500m", "advised")
            .Plan();

        Assert.Empty(plan.Actions);
        Assert.Equal(BlockReason.NodeDoNotDisrupt, Blocked(plan, "advised").Kind);
    }
}
