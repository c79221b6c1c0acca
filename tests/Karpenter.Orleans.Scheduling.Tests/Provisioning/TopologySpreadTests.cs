using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>Topology spread over zones, hostnames and capacity types, counted across nodes, claims and the batch.</summary>
public sealed class TopologySpreadTests
{
    private static readonly string[] ThreeZones = ["zone-a", "zone-b", "zone-c"];

    private static PodBuilder Spread(PodBuilder p, string key = WellKnownLabels.Zone, int maxSkew = 1, string when = "DoNotSchedule", int? minDomains = null) =>
        p.Label("app", "web").Spread(key, maxSkew, "app", "web", when, minDomains);

    private static string[] Names(string prefix, int n) => [.. Enumerable.Range(0, n).Select(i => $"{prefix}-{i}")];

    [Fact]
    public void FourPodsOverThreeZonesSplitOneOneTwo()
    {
        var o = TestCatalogs.ThreeSizes(ThreeZones).Replicas(4, "web", p => Spread(p)).Solve();

        o.AssertPlaced(Names("web", 4));
        Assert.Equal([1, 1, 2], o.ZoneCounts(Names("web", 4)));
    }

    [Fact]
    public void SixPodsOverThreeZonesSplitEvenly()
    {
        var o = TestCatalogs.ThreeSizes(ThreeZones).Replicas(6, "web", p => Spread(p)).Solve();

        Assert.Equal([2, 2, 2], o.ZoneCounts(Names("web", 6)));
    }

    [Fact]
    public void SpreadCountsPodsAlreadyBoundToExistingNodes()
    {
        var o = TestCatalogs.ThreeSizes(ThreeZones)
            .Node(new NodeBuilder("node-a", "zone-a").Allocatable("1", "1Gi"))
            .Pod(new PodBuilder("old-0", "400m", "128Mi").Label("app", "web").BoundTo("node-a"))
            .Pod(new PodBuilder("old-1", "400m", "128Mi").Label("app", "web").BoundTo("node-a"))
            .Replicas(4, "web", p => Spread(p))
            .Solve();

        o.AssertPlaced(Names("web", 4));
        Assert.DoesNotContain(Names("web", 4), p => o.ZoneOf(p) == "zone-a");
        Assert.Equal([2, 2], o.ZoneCounts(Names("web", 4)));
    }

    [Fact]
    public void PodsOutsideTheSelectorDoNotCount()
    {
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Node(new NodeBuilder("node-a", "zone-a").Allocatable("1", "1Gi"))
            .Pod(new PodBuilder("other-0", "400m", "128Mi").Label("app", "other").BoundTo("node-a"))
            .Pod(new PodBuilder("other-1", "400m", "128Mi").Label("app", "other").BoundTo("node-a"))
            .Replicas(2, "web", p => Spread(p))
            .Solve();

        Assert.Equal([1, 1], o.ZoneCounts(Names("web", 2)));
    }

    [Fact]
    public void SpreadHonoursThePodsZoneSelection()
    {
        // nodeAffinityPolicy defaults to Honor: zone-c is outside the pods' affinity and does not count.
        var o = TestCatalogs.ThreeSizes(ThreeZones)
            .Replicas(4, "web", p => Spread(p).RequiredNodeAffinity(PodBuilder.Expr(WellKnownLabels.Zone, "In", "zone-a", "zone-b")))
            .Solve();

        o.AssertPlaced(Names("web", 4));
        Assert.Equal([2, 2], o.ZoneCounts(Names("web", 4)));
        Assert.DoesNotContain(Names("web", 4), p => o.ZoneOf(p) == "zone-c");
    }

    [Fact]
    public void PreferredNodeAffinityDoesNotShrinkTheSpreadDomains()
    {
        // Only required node selection limits the domains; a preference for two zones still spreads over three.
        var o = TestCatalogs.ThreeSizes(ThreeZones)
            .Replicas(6, "web", p => Spread(p).PreferredNodeAffinity(10, PodBuilder.Expr(WellKnownLabels.Zone, "In", "zone-a", "zone-b")))
            .Solve();

        o.AssertPlaced(Names("web", 6));
        Assert.Equal([2, 2, 2], o.ZoneCounts(Names("web", 6)));
    }

    [Fact]
    public void APreferredZoneCannotOverrideADoNotScheduleSpread()
    {
        // zone-a already holds two matching pods; a preference for zone-a must not break maxSkew 1.
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Node(new NodeBuilder("node-a", "zone-a").Allocatable("1", "1Gi"))
            .Pod(new PodBuilder("old-0", "400m", "128Mi").Label("app", "web").BoundTo("node-a"))
            .Pod(new PodBuilder("old-1", "400m", "128Mi").Label("app", "web").BoundTo("node-a"))
            .Pod(Spread(new PodBuilder("web", "100m", "128Mi")).PreferredNodeAffinity(50, PodBuilder.Expr(WellKnownLabels.Zone, "In", "zone-a")))
            .Solve();

        Assert.Equal("zone-b", o.ZoneOf("web"));
    }

    [Fact]
    public void MinDomainsKeepsTheGlobalMinimumAtZeroWhenThereAreTooFewDomains()
    {
        // Two zones but minDomains 3: each zone may hold only maxSkew (1) pod.
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b").Replicas(4, "web", p => Spread(p, minDomains: 3)).Solve();

        Assert.Equal(2, Names("web", 4).Count(o.IsPlaced));
        Assert.Equal([1, 1], o.ZoneCounts(Names("web", 4)));
        Assert.All(o.Result.Unschedulable, u => o.AssertUnschedulable(u.Pod, "topology", "spread", "skew", "domain"));
    }

    [Fact]
    public void WithoutMinDomainsTheSamePodsAllSchedule()
    {
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b").Replicas(4, "web", p => Spread(p)).Solve();

        Assert.Equal([2, 2], o.ZoneCounts(Names("web", 4)));
    }

    [Fact]
    public void ScheduleAnywayIsRelaxedWhenItCannotBeMet()
    {
        // Required zonal affinity pins the pod to zone-a, which already breaks the skew.
        var o = SkewedAffinityScenario("ScheduleAnyway").Solve();

        Assert.Equal("zone-a", o.ZoneOf("web"));
    }

    [Fact]
    public void DoNotScheduleIsNotRelaxed()
    {
        var o = SkewedAffinityScenario("DoNotSchedule").Solve();

        o.AssertUnschedulable("web");
    }

    [Fact]
    public void HostnameSpreadWithMaxSkewOnePutsAtMostOneMatchingPodPerNode()
    {
        var o = TestCatalogs.ThreeSizes().Replicas(4, "web", p => Spread(p, WellKnownLabels.Hostname)).Solve();

        o.AssertPlaced(Names("web", 4));
        Assert.Equal(4, o.Claims.Count);
        Assert.All(o.Claims, c => Assert.Single(c.Pods));
    }

    [Fact]
    public void HostnameSpreadCountsBoundPodsOnExistingNodes()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1").Allocatable("8", "16Gi"))
            .Node(new NodeBuilder("node-2").Allocatable("8", "16Gi"))
            .Pod(new PodBuilder("old", "100m", "128Mi").Label("app", "web").BoundTo("node-1"))
            .Replicas(2, "web", p => Spread(p, WellKnownLabels.Hostname))
            .Solve();

        Assert.DoesNotContain(Names("web", 2), p => o.ExistingNodeOf(p) == "node-1");
        var placements = Names("web", 2).Select(o.PlacementOf).ToList();
        Assert.Equal(2, placements.Distinct().Count());
    }

    [Fact]
    public void CapacityTypeSpreadBalancesSpotAndOnDemand()
    {
        var o = new Scenario("zone-a")
            .Type("m", "2", "4Gi", 0.10, t => t.Offering("zone-a", CapacityTypes.OnDemand, 0.10).Offering("zone-a", CapacityTypes.Spot, 0.03))
            .Pool(new NodePoolBuilder().Requirement(WellKnownLabels.CapacityType, RequirementOperator.In, CapacityTypes.Spot, CapacityTypes.OnDemand))
            .Replicas(4, "web", p => Spread(p, WellKnownLabels.CapacityType))
            .Solve();

        o.AssertPlaced(Names("web", 4));
        var byType = Names("web", 4).GroupBy(p => o.ClaimOf(p)!.CapacityType).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, byType.GetValueOrDefault(CapacityTypes.Spot));
        Assert.Equal(2, byType.GetValueOrDefault(CapacityTypes.OnDemand));
    }

    [Fact]
    public void LargerMaxSkewAllowsMoreImbalance()
    {
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b").Replicas(6, "web", p => Spread(p, maxSkew: 4)).Solve();

        o.AssertPlaced(Names("web", 6));
        var counts = o.ZoneCounts(Names("web", 6));
        Assert.True(counts.Length == 1 ? counts[0] <= 4 : counts[^1] - counts[0] <= 4, string.Join(",", counts));
    }

    [Fact]
    public void AZoneOnlyAnExistingNodeHasCountsAsASpreadDomain()
    {
        // kube-scheduler counts the domain of every node the pod's node selection admits, NodePool or not: with
        // zone-c at 0 matching pods (its one node full), a and b may hold one pod each; more would not bind.
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Node(new NodeBuilder("legacy-c", "zone-c").Allocatable("50m", "64Mi"))
            .Replicas(4, "web", p => Spread(p))
            .Solve();

        Assert.Equal([1, 1], o.ZoneCounts(Names("web", 4)));
        Assert.Equal(2, o.Result.Unschedulable.Count);
        PlanChecker.AssertValid(o.Input, o.Result);
        Assert.All(o.Result.Unschedulable, u => Assert.Contains("maxSkew", u.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void AnExistingOnlyZoneHoldsTheOthersToWhatItsNodesCanTake()
    {
        // legacy-c has room for one web pod: c ends at 1, so a and b may hold 2 each; 2 of the 7 cannot bind.
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Node(new NodeBuilder("legacy-c", "zone-c").Allocatable("150m", "256Mi"))
            .Replicas(7, "web", p => Spread(p))
            .Solve();

        Assert.Equal([1, 2, 2], o.ZoneCounts(Names("web", 7)));
        Assert.Equal(2, o.Result.Unschedulable.Count);
        PlanChecker.AssertValid(o.Input, o.Result);
        Assert.Single(o.Result.ExistingNodes.Single(n => n.Name == "legacy-c").Pods);
    }

    [Fact]
    public void MatchingPodsOnTheExistingOnlyZoneRaiseTheMinimum()
    {
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Node(new NodeBuilder("legacy-c", "zone-c").Allocatable("500m", "512Mi"))
            .Pod(new PodBuilder("old-0", "400m", "128Mi").Label("app", "web").BoundTo("legacy-c"))
            .Replicas(4, "web", p => Spread(p))
            .Solve();

        o.AssertPlaced(Names("web", 4));
        Assert.Equal([2, 2], o.ZoneCounts(Names("web", 4)));
    }

    [Fact]
    public void AnExistingOnlyZoneThePodExcludesDoesNotCount()
    {
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Node(new NodeBuilder("legacy-c", "zone-c").Allocatable("50m", "64Mi"))
            .Replicas(4, "web", p => Spread(p).RequiredNodeAffinity(PodBuilder.Expr(WellKnownLabels.Zone, "In", "zone-a", "zone-b")))
            .Solve();

        o.AssertPlaced(Names("web", 4));
        Assert.Equal([2, 2], o.ZoneCounts(Names("web", 4)));
    }

    private static Scenario SkewedAffinityScenario(string when) =>
        TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Node(new NodeBuilder("node-a", "zone-a").Allocatable("1", "1Gi"))
            .Pod(new PodBuilder("old-0", "400m", "128Mi").Label("app", "web").BoundTo("node-a"))
            .Pod(new PodBuilder("old-1", "400m", "128Mi").Label("app", "web").BoundTo("node-a"))
            .Pod(new PodBuilder("web", "100m", "128Mi").Label("app", "web")
                .PodAffinity(WellKnownLabels.Zone, "app", "web")
                .Spread(WellKnownLabels.Zone, 1, "app", "web", when));
}
