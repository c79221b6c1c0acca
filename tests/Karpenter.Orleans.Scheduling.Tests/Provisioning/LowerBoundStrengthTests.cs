using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Optimization;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>
/// The strengthened lower bound: a required zonal spread prices each zone's share at that zone's price, and
/// a group that shares no node shape with any other is costed on whole nodes; both stay below the plan.
/// </summary>
public sealed class LowerBoundStrengthTests
{
    private const double Tolerance = 1e-6;

    private static readonly SolverOptions WithBound = new() { ComputeLowerBound = true };

    /// <summary>One type per node of which <paramref name="perNode"/> one-cpu pods fit; 1.0/h in zone-a, 3.0/h in zone-b.</summary>
    private static Scenario TwoPricedZones(int perNode = 1) =>
        new Scenario("zone-a", "zone-b")
            .Type("t", perNode.ToString(System.Globalization.CultureInfo.InvariantCulture), "16Gi", 1.0, t => t.OnDemand(1.0, "zone-a").OnDemand(3.0, "zone-b"));

    private static PodBuilder Web(PodBuilder p) => p.Label("app", "web").Spread(WellKnownLabels.Zone, 1, "app", "web");

    private static string[] Names(string prefix, int n) => [.. Enumerable.Range(0, n).Select(i => $"{prefix}-{i}")];

    private static BoundModel Build(SchedulingInput input) => LowerBoundBuilder.Build(new SolverModel(input, SolverOptions.Default), null);

    private static void AssertBoundBelowPlan(SchedulingResult result)
    {
        var bound = result.Summary.LowerBoundPerHour;
        Assert.NotNull(bound);
        Assert.True(bound <= result.Summary.PricePerHour + Tolerance, $"bound {bound} above the plan {result.Summary.PricePerHour}");
    }

    [Fact]
    public void ASpreadGroupAloneIsPricedPerZone()
    {
        // 4 pods, maxSkew 1 over 2 zones: each zone ends with at least ceil((4 - 1) / 2) = 2, one pod per node,
        // so 2 x 1.0 + 2 x 3.0 = 8.0. Pricing every pod at the cheapest zone would say 4 x 1.0 = 4.0.
        var o = TwoPricedZones().Replicas(4, "web", Web, cpu: "1").Solve(WithBound);

        o.AssertPlaced(Names("web", 4));
        Assert.Equal([2, 2], o.ZoneCounts(Names("web", 4)));
        Assert.Equal(8.0, o.Result.Summary.LowerBoundPerHour!.Value, Tolerance);
        Assert.Equal(8.0, o.Result.Summary.PricePerHour, Tolerance);
        AssertBoundBelowPlan(o.Result);
    }

    [Fact]
    public void ASpreadGroupSharingNodesIsSplitPerZoneInTheLp()
    {
        // "other" (no spread) may share web's nodes, so web is not costed alone: the LP splits it into 2 pods
        // on zone-a shapes and 2 on zone-b shapes. Bound: 2 x 1.0 + 2 x 3.0 + 1 x 1.0 (other in zone-a) = 9.0;
        // unsplit, all five pods would be priced in zone-a at 5.0.
        var input = TwoPricedZones()
            .Replicas(4, "web", Web, cpu: "1")
            .Pod(new PodBuilder("other", "1", "128Mi").Label("app", "other"))
            .Input();

        var built = Build(input);
        Assert.Equal(0.0, built.IsolatedCost);
        Assert.Equal(["default/t/zone-a", "default/t/zone-b"], built.Problem.Shapes.Select(s => s.Name));
        Assert.Equal([1.0, 3.0], built.Problem.Shapes.Select(s => s.PricePerHour));
        // web's two zone parts (2 pods, one zone's shape each) and other (1 pod, either zone).
        string[] parts = ["2 pods on 0", "2 pods on 1", "1 pods on 0,1"];
        Assert.Equal(parts, built.Problem.Groups.Select(g => $"{g.Count} pods on {string.Join(",", g.CompatibleShapes)}"));
        Assert.Equal(9.0, LowerBoundSolver.Solve(built.Problem).PricePerHour, Tolerance);

        var result = ProvisioningSolver.Solve(input, WithBound);
        Assert.Equal(5, result.Summary.Scheduled);
        Assert.Equal(9.0, result.Summary.LowerBoundPerHour!.Value, Tolerance);
        Assert.Equal(9.0, result.Summary.PricePerHour, Tolerance);
        AssertBoundBelowPlan(result);
    }

    [Fact]
    public void AnIsolatedSpreadGroupKeepsZoneCountsWithinMaxSkewOfEachOther()
    {
        // 5 pods, 2 per node, maxSkew 1: zone counts are (3, 2) or (2, 3). (3 in a, 2 in b) costs 2 nodes x 1.0
        // + 1 node x 3.0 = 5.0; (2, 3) costs 1.0 + 2 x 3.0 = 7.0. The LP with per-zone minimums of 2 would
        // say 2 x 0.5 + 2 x 1.5 + 1 x 0.5 = 4.5.
        var input = TwoPricedZones(perNode: 2).Replicas(5, "web", Web, cpu: "1").Input();

        var built = Build(input);
        Assert.Empty(built.Problem.Groups);
        Assert.Equal(5.0, built.IsolatedCost, Tolerance);

        var o = new Outcome(input, ProvisioningSolver.Solve(input, WithBound));
        Assert.Equal([2, 3], o.ZoneCounts(Names("web", 5)));
        Assert.Equal(3, Names("web", 5).Count(p => o.ZoneOf(p) == "zone-a"));
        Assert.Equal(5.0, o.Result.Summary.LowerBoundPerHour!.Value, Tolerance);
        Assert.Equal(5.0, o.Result.Summary.PricePerHour, Tolerance);
        AssertBoundBelowPlan(o.Result);
    }

    /// <summary>
    /// A dedicated tainted pool only "db" may use (it selects the pool's label and tolerates its taint), and a
    /// general pool; one type of 2 cpu at 1.0/h. db: 3 one-cpu pods; web and api: 1 and 2 one-cpu pods.
    /// </summary>
    private static SchedulingInput DedicatedAndGeneral() =>
        new Scenario()
            .Type("t2", "2", "16Gi", 1.0)
            .Pool(new NodePoolBuilder("dedicated").Label("tier", "db").Taint("tier", "db"))
            .Pool(new NodePoolBuilder("general"))
            .Replicas(3, "db", p => p.Label("app", "db").NodeSelector("tier", "db").Tolerate("tier", "db"), cpu: "1")
            .Replicas(1, "web", p => p.Label("app", "web"), cpu: "1")
            .Replicas(2, "api", p => p.Label("app", "api"), cpu: "1", memory: "256Mi")
            .Input();

    [Fact]
    public void AnIsolatedGroupIsCostedOnWholeNodes()
    {
        // db shares no shape: 3 pods at 2 per node need 2 whole nodes, 2.0 (the LP would say 1.5).
        var built = Build(DedicatedAndGeneral());

        Assert.Equal(2.0, built.IsolatedCost, Tolerance);
        Assert.DoesNotContain(built.Owners, g => g.PodKeys.Contains("default/db-0"));
    }

    [Fact]
    public void GroupsThatShareNodesKeepTheFractionalLpValue()
    {
        // web and api share general/t2: the LP holds their 3 cpu on 1.5 nodes, 1.5, although any plan pays
        // for 2 nodes. Only isolated groups are rounded up to whole nodes.
        var built = Build(DedicatedAndGeneral());

        Assert.Equal([1, 2], built.Problem.Groups.Select(g => g.Count).Order());
        Assert.Equal(1.5, LowerBoundSolver.Solve(built.Problem).PricePerHour, Tolerance);
    }

    [Fact]
    public void TheSolveReportsTheExactPartPlusTheLpPartBelowThePlan()
    {
        // Bound 2.0 (db, exact) + 1.5 (web and api, LP) = 3.5; the plan: 2 dedicated nodes + 2 general = 4.0.
        var result = ProvisioningSolver.Solve(DedicatedAndGeneral(), WithBound);

        Assert.Equal(6, result.Summary.Scheduled);
        Assert.Equal(3.5, result.Summary.LowerBoundPerHour!.Value, Tolerance);
        Assert.Equal(4.0, result.Summary.PricePerHour, Tolerance);
        Assert.Equal(2, result.NodeClaims.Count(c => c.NodePool == "dedicated"));
        AssertBoundBelowPlan(result);
    }
}
