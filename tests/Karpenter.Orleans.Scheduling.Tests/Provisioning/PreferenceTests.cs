using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>Preferences are honoured when possible and relaxed one step at a time (reference §2.7).</summary>
public sealed class PreferenceTests
{
    [Fact]
    public void PreferredNodeAffinityIsHonouredEvenWhenDearer()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "100m", "128Mi").PreferredNodeAffinity(50, PodBuilder.Expr(TestLabels.Family, "In", "c")))
            .Solve();

        Assert.Equal("l8", Assert.Single(o.Claims).InstanceType);
    }

    [Fact]
    public void PreferredZoneIsHonoured()
    {
        var o = new Scenario("zone-a", "zone-b")
            .Type("m", "2", "4Gi", 0.10, t => t.OnDemand(0.10, "zone-a").OnDemand(0.12, "zone-b"))
            .Pod(new PodBuilder("web", "100m", "128Mi").PreferredNodeAffinity(10, PodBuilder.Expr(WellKnownLabels.Zone, "In", "zone-b")))
            .Solve();

        Assert.Equal("zone-b", o.ZoneOf("web"));
    }

    [Fact]
    public void AnImpossiblePreferenceIsRelaxedAndThePodStillScheduled()
    {
        var o = TestCatalogs.ThreeSizes("zone-a")
            .Pod(new PodBuilder("web", "100m", "128Mi")
                .PreferredNodeAffinity(50, PodBuilder.Expr(WellKnownLabels.Zone, "In", "zone-z")))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal(("s2", "zone-a"), (claim.InstanceType, claim.Zone));
    }

    [Fact]
    public void TheHeaviestPreferredTermIsTriedFirst()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "100m", "128Mi")
                .PreferredNodeAffinity(10, PodBuilder.Expr(TestLabels.Family, "In", "b"))
                .PreferredNodeAffinity(90, PodBuilder.Expr(TestLabels.Family, "In", "c")))
            .Solve();

        Assert.Equal("l8", Assert.Single(o.Claims).InstanceType);
    }

    [Fact]
    public void WhenTheHeaviestPreferenceFailsTheNextHeaviestIsTried()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "100m", "128Mi")
                .PreferredNodeAffinity(10, PodBuilder.Expr(TestLabels.Family, "In", "b"))
                .PreferredNodeAffinity(90, PodBuilder.Expr(TestLabels.Family, "In", "nope")))
            .Solve();

        Assert.Equal("m4", Assert.Single(o.Claims).InstanceType);
    }

    [Fact]
    public void PreferencePolicyIgnoreDropsPreferences()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "100m", "128Mi").PreferredNodeAffinity(50, PodBuilder.Expr(TestLabels.Family, "In", "c")))
            .Solve(new SolverOptions { PreferencePolicy = PreferencePolicy.Ignore });

        Assert.Equal("s2", Assert.Single(o.Claims).InstanceType);
    }

    [Fact]
    public void PreferredPodAffinityIsRelaxedBeforePreferredNodeAffinity()
    {
        // The pod-affinity preference can never hold (no such pod); relaxing it first keeps the node preference.
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "100m", "128Mi").Label("app", "web")
                .PreferredPodAffinity(100, WellKnownLabels.Zone, "app", "missing")
                .PreferredNodeAffinity(1, PodBuilder.Expr(TestLabels.Family, "In", "c")))
            .Solve();

        Assert.Equal("l8", Assert.Single(o.Claims).InstanceType);
    }

    [Fact]
    public void PreferredNodeAffinityIsRelaxedBeforeAScheduleAnywaySpread()
    {
        // zone-a already holds two matching pods, so the spread wants zone-b while the node preference wants zone-a.
        // Node affinity is relaxed first (step 4 before step 5), so the pod lands in zone-b.
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Node(new NodeBuilder("node-a", "zone-a").Allocatable("1", "1Gi"))
            .Pod(new PodBuilder("old-0", "400m", "128Mi").Label("app", "web").BoundTo("node-a"))
            .Pod(new PodBuilder("old-1", "400m", "128Mi").Label("app", "web").BoundTo("node-a"))
            .Pod(new PodBuilder("web", "100m", "128Mi").Label("app", "web")
                .Spread(WellKnownLabels.Zone, 1, "app", "web", "ScheduleAnyway")
                .PreferredNodeAffinity(50, PodBuilder.Expr(WellKnownLabels.Zone, "In", "zone-a")))
            .Solve();

        Assert.Equal("zone-b", o.ZoneOf("web"));
    }

    [Fact]
    public void PreferredAntiAffinityIsHonouredWhenPossible()
    {
        var o = TestCatalogs.ThreeSizes()
            .Replicas(3, "web", p => p.Label("app", "web").PreferredPodAntiAffinity(100, WellKnownLabels.Hostname, "app", "web"))
            .Solve();

        Assert.Equal(3, o.Claims.Count);
        Assert.All(o.Claims, c => Assert.Single(c.Pods));
    }

    [Fact]
    public void PreferredAntiAffinityIsRelaxedWhenANodesLimitLeavesNoOtherChoice()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder().Limit("nodes", "1"))
            .Replicas(3, "web", p => p.Label("app", "web").PreferredPodAntiAffinity(100, WellKnownLabels.Hostname, "app", "web"))
            .Solve();

        Assert.Empty(o.Result.Unschedulable);
        Assert.Equal(3, Assert.Single(o.Claims).Pods.Count);
    }
}
