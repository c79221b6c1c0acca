using k8s.Models;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;
using static Karpenter.Orleans.Scheduling.Tests.Disruption.PlanAssert;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>The planner against Karpenter's documented disruption behaviour, one rule per test.</summary>
public sealed class DisruptionPlannerTests
{
    private static NodePoolDisruption Disruption(string budget = "100%", ConsolidationPolicy policy = ConsolidationPolicy.WhenEmptyOrUnderutilized, TimeSpan? consolidateAfter = null) =>
        new(policy, consolidateAfter ?? TimeSpan.Zero, [new DisruptionBudget(budget)]);

    private static NodePoolDisruption Disruption(params DisruptionBudget[] budgets) =>
        new(ConsolidationPolicy.WhenEmptyOrUnderutilized, TimeSpan.Zero, budgets);

    [Fact]
    public void EmptyNodesAreDeletedByEmptiness()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption())
            .Node("empty-1", "m4").Node("empty-2", "s2").Node("busy", "s2")
            .Pod("web-0", "1500m", "busy")
            .Plan();

        var action = plan.Actions[0];
        Assert.Equal(DisruptionMethod.Emptiness, action.Method);
        Assert.Equal(DisruptionActionKind.Delete, action.Kind);
        Assert.Equal(["empty-1", "empty-2"], action.Nodes.Order(StringComparer.Ordinal));
        Assert.Empty(action.Replacements);
        Assert.Equal(0.28, action.SavingPerHour, 6);
        Assert.Equal(BlockReason.NoCheaperOption, Blocked(plan, "busy").Kind);
    }

    [Fact]
    public void ANodeWhosePodsFitElsewhereIsDeletedAndItsPodsMoveThere()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption())
            .Node("full", "m4").Node("light", "m4")
            .Pod("a", "2", "full").Pod("b", "500m", "light").Pod("c", "250m", "light")
            .Plan();

        var action = ActionFor(plan, "light");
        Assert.Equal(DisruptionActionKind.Delete, action.Kind);
        Assert.Equal(["light"], action.Nodes);
        Assert.Equal([new PodMove("default/b", "full"), new PodMove("default/c", "full")], action.Moves);
        Assert.Equal(0.18, plan.Summary.SavingPerHour, 6);
        Assert.Equal(BlockReason.ConsolidateAfter, Blocked(plan, "full").Kind);
    }

    [Fact]
    public void TwoUnderusedNodesAreReplacedByOneCheaperNode()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption())
            .Node("m-1", "m4").Node("m-2", "m4")
            .Pod("a", "2500m", "m-1").Pod("b", "2500m", "m-2")
            .Plan();

        var action = Assert.Single(plan.Actions);
        Assert.Equal(DisruptionMethod.MultiNodeConsolidation, action.Method);
        Assert.Equal(DisruptionActionKind.Replace, action.Kind);
        Assert.Equal(["m-1", "m-2"], action.Nodes.Order(StringComparer.Ordinal));
        var replacement = Assert.Single(action.Replacements);
        Assert.Equal("l8", replacement.InstanceType);
        Assert.Equal(0.06, action.SavingPerHour, 6);
        Assert.All(action.Moves, m => Assert.Equal(replacement.Name, m.To));
        Assert.Equal(2, action.Moves.Count);
    }

    [Fact]
    public void ASavingBelowTheThresholdIsNotWorthTheDisruption()
    {
        var catalog = new CatalogBuilder("zone-a").Type("tiny", "2", "8Gi", 0.001);
        var plan = new DisruptionCluster(catalog)
            .Pool(Disruption())
            .Node("a", "tiny").Node("b", "tiny")
            .Pod("p-0", "500m", "a").Pod("p-1", "500m", "a").Pod("p-2", "200m", "b")
            .Plan();

        Assert.Empty(plan.Actions);
        var blocked = Blocked(plan, "b");
        Assert.Equal(BlockReason.SavingBelowThreshold, blocked.Kind);
        Assert.Equal("saving $0.001/h for 1 pods is below the threshold of $0.002/h per pod", blocked.Reason);
    }

    [Fact]
    public void TheThresholdIsAnOption()
    {
        var catalog = new CatalogBuilder("zone-a").Type("tiny", "2", "8Gi", 0.001);
        var plan = new DisruptionCluster(catalog)
            .Pool(Disruption())
            .Node("a", "tiny").Node("b", "tiny")
            .Pod("p-0", "500m", "a").Pod("p-1", "500m", "a").Pod("p-2", "200m", "b")
            .Plan(new DisruptionOptions { MinSavingPerPodPerHour = 0 });

        Assert.Equal(["b"], ActionFor(plan, "b").Nodes);
    }

    [Fact]
    public void ABudgetOfZeroBlocksAndNamesTheReason()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption("0"))
            .Node("empty", "m4")
            .Plan();

        Assert.Empty(plan.Actions);
        var blocked = Blocked(plan, "empty");
        Assert.Equal(BlockReason.Budget, blocked.Kind);
        Assert.Equal("budget of NodePool default allows 0 Empty disruptions now", blocked.Reason);
    }

    [Fact]
    public void PercentBudgetsRoundUpFivePercentOfTenNodesIsOne()
    {
        var cluster = new DisruptionCluster().Pool(Disruption("5%"));
        for (var i = 0; i < 10; i++)
        {
            cluster.Node($"empty-{i}", "s2");
        }

        var plan = cluster.Plan();

        Assert.Single(plan.Actions.SelectMany(a => a.Nodes));
        Assert.Equal(9, plan.Blocked.Count(b => b.Kind == BlockReason.Budget));
    }

    [Fact]
    public void TheSmallestActiveBudgetForTheReasonWins()
    {
        var cluster = new DisruptionCluster().Pool(Disruption(new DisruptionBudget("3"), new DisruptionBudget("1", Reasons: ["Empty"]), new DisruptionBudget("0", Reasons: ["Drifted"])));
        for (var i = 0; i < 5; i++)
        {
            cluster.Node($"empty-{i}", "s2");
        }

        Assert.Single(cluster.Plan().Actions.SelectMany(a => a.Nodes));
    }

    [Fact]
    public void NodesAlreadyBeingDeletedUseUpTheBudget()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption("2"))
            .Node("going", "s2", n => n with { Deleting = true })
            .Node("empty-1", "s2").Node("empty-2", "s2")
            .Plan();

        Assert.Single(plan.Actions.SelectMany(a => a.Nodes));
        Assert.Equal(BlockReason.Deleting, Blocked(plan, "going").Kind);
    }

    [Theory]
    [InlineData(12, false)] // inside 09:00 + 8h: the zero budget holds
    [InlineData(8, true)]   // before the window opens
    [InlineData(17, true)]  // the window closed at 17:00
    public void ScheduledBudgetsOpenAndClose(int hour, bool deleted)
    {
        var cluster = new DisruptionCluster { Clock = new DateTimeOffset(2026, 3, 2, hour, 0, 0, TimeSpan.Zero) }
            .Pool(Disruption(new DisruptionBudget("100%"), new DisruptionBudget("0", "0 9 * * mon-fri", TimeSpan.FromHours(8))))
            .Node("empty", "s2");

        Assert.Equal(deleted, cluster.Plan().Actions.Count == 1);
    }

    [Fact]
    public void AScheduleThatDoesNotParseFailsClosed()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption(new DisruptionBudget("100%"), new DisruptionBudget("50%", "every day at nine", TimeSpan.FromHours(1))))
            .Node("empty", "s2")
            .Plan();

        Assert.Empty(plan.Actions);
        Assert.Equal(BlockReason.Budget, Blocked(plan, "empty").Kind);
    }

    [Fact]
    public void APodWithDoNotDisruptHoldsItsNode()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption())
            .Node("a", "m4").Node("b", "m4")
            .Pod("web-0", "1", "a")
            .Pod("db-0", "200m", "b", edit: p => p.Metadata.Annotations = new Dictionary<string, string> { [WellKnownLabels.DoNotDisruptAnnotation] = "true" })
            .Plan();

        var blocked = Blocked(plan, "b");
        Assert.Equal(BlockReason.PodDoNotDisrupt, blocked.Kind);
        Assert.Equal("pod default/db-0 has karpenter.sh/do-not-disrupt", blocked.Reason);
        Assert.DoesNotContain(plan.Actions, a => a.Nodes.Contains("b"));
    }

    [Fact]
    public void ADoNotDisruptDurationHoldsOnlyUntilItPasses()
    {
        static void Grace(V1Pod p, string d)
        {
            p.Metadata.Annotations = new Dictionary<string, string> { [WellKnownLabels.DoNotDisruptAnnotation] = d };
            p.Status.StartTime = DisruptionCluster.Now.UtcDateTime.AddHours(-1);
        }

        DisruptionPlan Run(string d) => new DisruptionCluster()
            .Pool(Disruption())
            .Node("a", "m4").Node("b", "m4")
            .Pod("web-0", "1", "a")
            .Pod("job-0", "200m", "b", edit: p => Grace(p, d))
            .Plan();

        Assert.Equal(BlockReason.PodDoNotDisrupt, Blocked(Run("2h"), "b").Kind);
        var plan = Run("30m");
        Assert.Contains("b", ActionFor(plan, "b").Nodes);
    }

    [Fact]
    public void ANodeWithDoNotDisruptIsNotTouchedEvenWhenEmpty()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption())
            .Node("held", "m4", n => n with { Node = Annotate(n.Node) })
            .Plan();

        Assert.Empty(plan.Actions);
        var blocked = Blocked(plan, "held");
        Assert.Equal(BlockReason.NodeDoNotDisrupt, blocked.Kind);
        Assert.Equal("node held has karpenter.sh/do-not-disrupt", blocked.Reason);
    }

    [Fact]
    public void APodDisruptionBudgetAllowingZeroBlocksTheNode()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption())
            .Node("a", "m4").Node("b", "m4")
            .Pod("web-0", "1", "a", p => p.Label("app", "web"))
            .Pod("web-1", "200m", "b", p => p.Label("app", "web"))
            .Pdb("web", "web", minAvailable: 2)
            .Plan();

        Assert.Empty(plan.Actions);
        var blocked = Blocked(plan, "b");
        Assert.Equal(BlockReason.PodDisruptionBudget, blocked.Kind);
        Assert.Equal("PodDisruptionBudget default/web allows 0 disruptions", blocked.Reason);
    }

    [Fact]
    public void APodDisruptionBudgetWithRoomLetsTheNodeGo()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption())
            .Node("a", "m4").Node("b", "m4")
            .Pod("api-0", "3", "a")
            .Pod("web-0", "200m", "a", p => p.Label("app", "web"))
            .Pod("web-1", "200m", "b", p => p.Label("app", "web"))
            .Pdb("web", "web", maxUnavailable: "50%")
            .Plan();

        Assert.Equal(["b"], ActionFor(plan, "b").Nodes);
    }

    [Fact]
    public void DriftReplacesTheNodeWithoutAPriceCheck()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption("1"))
            .Node("old", "s2", n => n with { Drifted = "NodePool template changed" })
            .Pod("web-0", "1500m", "old")
            .Plan();

        var action = Assert.Single(plan.Actions);
        Assert.Equal(DisruptionMethod.Drift, action.Method);
        Assert.Equal(DisruptionReason.Drifted, action.Reason);
        Assert.Equal(DisruptionActionKind.Replace, action.Kind);
        var replacement = Assert.Single(action.Replacements);
        Assert.Equal("s2", replacement.InstanceType);
        Assert.Equal(0, action.SavingPerHour, 6);
        Assert.Equal([new PodMove("default/web-0", replacement.Name)], action.Moves);
    }

    [Fact]
    public void DriftIsBudgetGated()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption(new DisruptionBudget("100%"), new DisruptionBudget("0", Reasons: ["Drifted"])))
            .Node("old", "s2", n => n with { Drifted = "NodePool template changed" })
            .Pod("web-0", "1500m", "old")
            .Plan();

        Assert.DoesNotContain(plan.Actions, a => a.Method == DisruptionMethod.Drift);
    }

    [Fact]
    public void ExpirationDeletesWhateverBudgetsPdbsAndDoNotDisruptSay()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption("0"), expireAfter: TimeSpan.FromMinutes(30))
            .Node("old", "s2", n => n with { Node = Annotate(n.Node) })
            .Pod("db-0", "1500m", "old", p => p.Label("app", "db"), p => p.Metadata.Annotations = new Dictionary<string, string> { [WellKnownLabels.DoNotDisruptAnnotation] = "true" })
            .Pdb("db", "db", minAvailable: 1)
            .Plan();

        var action = Assert.Single(plan.Actions);
        Assert.Equal(DisruptionMethod.Expiration, action.Method);
        Assert.Equal(DisruptionReason.Expired, action.Reason);
        Assert.Equal(DisruptionActionKind.Delete, action.Kind);
        Assert.Equal(["old"], action.Nodes);
    }

    [Fact]
    public void ExpirationLeavesNodesKarpenterDoesNotManage()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption(), expireAfter: TimeSpan.FromMinutes(30))
            .Node("byo", "s2", n => n with { NodeClaim = null })
            .Node("young", "s2", n => n with { CreatedAt = DisruptionCluster.Now.AddMinutes(-10) })
            .Pod("a", "1500m", "byo").Pod("b", "1500m", "young")
            .Plan();

        Assert.Empty(plan.Actions);
        Assert.Equal(BlockReason.NotManaged, Blocked(plan, "byo").Kind);
    }

    [Fact]
    public void ASpotInterruptionReplacesTheNodeAtOnceWhateverBlocksIt()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption("0"))
            .Node("spot-1", "s2", n => n with { Interruption = new NodeInterruption(InterruptionType.SpotInterruption, DisruptionCluster.Now.AddMinutes(2)) })
            .Pod("db-0", "1500m", "spot-1", edit: p => p.Metadata.Annotations = new Dictionary<string, string> { [WellKnownLabels.DoNotDisruptAnnotation] = "true" })
            .Plan();

        var action = Assert.Single(plan.Actions);
        Assert.Equal(DisruptionMethod.Interruption, action.Method);
        Assert.Equal(DisruptionActionKind.Replace, action.Kind);
        Assert.Single(action.Replacements);
    }

    [Fact]
    public void AnInterruptionOfANodeKarpenterDoesNotManageIsNotItsToAct()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption())
            .Node("byo", "s2", n => n with { NodeClaim = null, Interruption = new NodeInterruption(InterruptionType.SpotInterruption, DisruptionCluster.Now.AddMinutes(2)) })
            .Pod("web-0", "1500m", "byo")
            .Plan();

        Assert.Empty(plan.Actions);
        Assert.Equal(BlockReason.NotManaged, Blocked(plan, "byo").Kind);
    }

    [Fact]
    public void ADriftedNodeWhosePodsCannotRunElsewhereStays()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption())
            .Node("old", "s2", n => n with { Drifted = "AMI changed", Node = Label(n.Node, "example.com/rack", "r1") })
            .Pod("pinned-0", "1500m", "old", p => p.NodeSelector("example.com/rack", "r1"))
            .Plan();

        Assert.Empty(plan.Actions);
        var blocked = Blocked(plan, "old");
        Assert.True(blocked.Kind is BlockReason.PodsCannotMove or BlockReason.NoCheaperOption, blocked.Reason);
        Assert.Contains("default/pinned-0", blocked.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ARebalanceRecommendationReplacesOnlyWhenABudgetAllows()
    {
        DisruptionPlan Run(string budget) => new DisruptionCluster()
            .Pool(Disruption(budget))
            .Node("spot-1", "s2", n => n with { Interruption = new NodeInterruption(InterruptionType.RebalanceRecommendation, DisruptionCluster.Now.AddMinutes(30)) })
            .Pod("web-0", "1500m", "spot-1")
            .Plan();

        Assert.Empty(Run("0").Actions);
        var action = Assert.Single(Run("1").Actions);
        Assert.Equal(DisruptionMethod.Interruption, action.Method);
        Assert.Equal(DisruptionActionKind.Replace, action.Kind);
    }

    [Fact]
    public void ConsolidateAfterHoldsNodesWhosePodsChangedRecently()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption(consolidateAfter: TimeSpan.FromMinutes(1)))
            .Node("full", "m4").Node("light", "m4", n => n with { LastPodEventAt = DisruptionCluster.Now.AddSeconds(-30) })
            .Pod("a", "2", "full").Pod("b", "500m", "light")
            .Plan();

        Assert.DoesNotContain(plan.Actions, a => a.Nodes.Contains("light"));
        var blocked = Blocked(plan, "light");
        Assert.Equal(BlockReason.ConsolidateAfter, blocked.Kind);
        Assert.Equal("node light changed 30s ago; NodePool default consolidates after 1m0s", blocked.Reason);
    }

    [Fact]
    public void ConsolidateAfterNeverDisablesConsolidationAndEmptiness()
    {
        var plan = new DisruptionCluster()
            .Pool(new NodePoolDisruption(ConsolidationPolicy.WhenEmptyOrUnderutilized, null, [new DisruptionBudget("100%")]))
            .Node("empty", "m4")
            .Plan();

        Assert.Empty(plan.Actions);
        Assert.Equal(BlockReason.ConsolidationDisabled, Blocked(plan, "empty").Kind);
    }

    [Fact]
    public void WhenEmptyNeverConsolidatesNodesWithPods()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption(policy: ConsolidationPolicy.WhenEmpty))
            .Node("full", "m4").Node("light", "m4").Node("empty", "m4")
            .Pod("a", "2", "full").Pod("b", "500m", "light")
            .Plan();

        var action = Assert.Single(plan.Actions);
        Assert.Equal(["empty"], action.Nodes);
        var blocked = Blocked(plan, "light");
        Assert.Equal(BlockReason.PolicyWhenEmpty, blocked.Kind);
    }

    [Fact]
    public void UninitializedNominatedAndUnmanagedNodesAreNotCandidates()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption())
            .Node("new", "s2", n => n with { InitializedAt = null })
            .Node("nominated", "s2", n => n with { Nominated = true })
            .Node("byo", "s2", n => n with { NodeClaim = null })
            .Plan();

        Assert.Empty(plan.Actions);
        Assert.Equal(BlockReason.NotInitialized, Blocked(plan, "new").Kind);
        Assert.Equal(BlockReason.Nominated, Blocked(plan, "nominated").Kind);
        Assert.Equal(BlockReason.NotManaged, Blocked(plan, "byo").Kind);
    }

    [Fact]
    public void ASingleSpotNodeNeedsFifteenCheaperSpotTypesToBeReplacedBySpot()
    {
        var catalog = new CatalogBuilder("zone-a")
            .Type("s2", "2", "8Gi", 0.10, t => t.Spot(0.03, "zone-a").OnDemand(0.10, "zone-a"))
            .Type("m4", "4", "16Gi", 0.18, t => t.Spot(0.06, "zone-a").OnDemand(0.18, "zone-a"));
        DisruptionPlan Run(int min) => new DisruptionCluster(catalog)
            .Pool(Disruption())
            .Node("spot-m4", "m4", capacityType: CapacityTypes.Spot, price: 0.06)
            .Pod("web-0", "1", "spot-m4")
            .Plan(new DisruptionOptions { MinInstanceTypesForSpotToSpot = min });

        var blocked = Blocked(Run(15), "spot-m4");
        Assert.Equal(BlockReason.NoCheaperOption, blocked.Kind);
        Assert.Contains("needs 15 cheaper spot instance types, found 1", blocked.Reason, StringComparison.Ordinal);

        var replacement = Assert.Single(ActionFor(Run(1), "spot-m4").Replacements);
        Assert.Equal(("s2", CapacityTypes.Spot), (replacement.InstanceType, replacement.CapacityType));
    }

    [Fact]
    public void AnOnDemandNodeIsReplacedBySpotWhenTheNodePoolAllowsIt()
    {
        var catalog = new CatalogBuilder("zone-a")
            .Type("s2", "2", "8Gi", 0.10, t => t.Spot(0.03, "zone-a").OnDemand(0.10, "zone-a"))
            .Type("m4", "4", "16Gi", 0.18, t => t.Spot(0.06, "zone-a").OnDemand(0.18, "zone-a"));
        var plan = new DisruptionCluster(catalog)
            .Pool(Disruption())
            .Node("od-m4", "m4", price: 0.18)
            .Pod("web-0", "1", "od-m4")
            .Plan();

        var replacement = Assert.Single(ActionFor(plan, "od-m4").Replacements);
        Assert.Equal(CapacityTypes.Spot, replacement.CapacityType);
        Assert.Equal(0.03, replacement.PricePerHour, 6);
    }

    [Fact]
    public void TheSummaryIsTheBillBeforeAndAfter()
    {
        var plan = new DisruptionCluster()
            .Pool(Disruption("10"))
            .Node("m-1", "m4").Node("m-2", "m4").Node("gone", "s2", n => n with { Deleting = true })
            .Pod("a", "2500m", "m-1").Pod("b", "2500m", "m-2")
            .Plan();

        Assert.Equal(0.36, plan.Summary.PricePerHourBefore, 6);
        Assert.Equal(0.30, plan.Summary.PricePerHourAfter, 6);
        Assert.Equal(0.06, plan.Summary.SavingPerHour, 6);
    }

    [Fact]
    public void PlanToConvergenceKeepsGoingAsIfEachPassCompleted()
    {
        var cluster = new DisruptionCluster().Pool(Disruption("1"));
        for (var i = 0; i < 4; i++)
        {
            cluster.Node($"empty-{i}", "s2");
        }

        var input = cluster.Input();
        Assert.Single(DisruptionPlanner.Plan(input).Actions);
        var converged = DisruptionPlanner.PlanToConvergence(input);
        Assert.Equal(4, converged.Actions.Count);
        Assert.Equal(0, converged.Summary.PricePerHourAfter, 6);
        Assert.Empty(converged.Blocked);
    }

    [Fact]
    public void ExplainListsEveryNodeOnce()
    {
        var input = new DisruptionCluster()
            .Pool(Disruption())
            .Node("empty", "m4").Node("busy", "s2")
            .Pod("web-0", "1500m", "busy")
            .Input();
        var plan = DisruptionPlanner.Plan(input);

        var explained = DisruptionPlanner.Explain(input, plan);

        Assert.Equal(["busy", "empty"], explained.Select(e => e.Node));
        Assert.NotNull(explained[0].Blocked);
        Assert.Equal(0, explained[1].ActionIndex);
    }

    private static V1Node Label(V1Node node, string key, string value)
    {
        node.Metadata.Labels[key] = value;
        return node;
    }

    private static V1Node Annotate(V1Node node)
    {
        node.Metadata.Annotations = new Dictionary<string, string> { [WellKnownLabels.DoNotDisruptAnnotation] = "true" };
        return node;
    }
}
