using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>Required pod affinity and anti-affinity on hostname and zone, including inverse anti-affinity.</summary>
public sealed class PodAffinityTests
{
    private static string[] Names(string prefix, int n) => [.. Enumerable.Range(0, n).Select(i => $"{prefix}-{i}")];

    [Fact]
    public void HostnameAntiAffinityPutsOnePodPerNode()
    {
        var o = TestCatalogs.ThreeSizes()
            .Replicas(3, "web", p => p.Label("app", "web").PodAntiAffinity(WellKnownLabels.Hostname, "app", "web"))
            .Solve();

        o.AssertPlaced(Names("web", 3));
        Assert.Equal(3, o.Claims.Count);
        Assert.All(o.Claims, c => Assert.Single(c.Pods));
    }

    [Fact]
    public void HostnameAntiAffinityAvoidsExistingNodesRunningAMatchingPod()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1").Allocatable("8", "16Gi"))
            .Pod(new PodBuilder("old", "100m", "128Mi").Label("app", "web").BoundTo("node-1"))
            .Pod(new PodBuilder("web", "100m", "128Mi").Label("app", "web").PodAntiAffinity(WellKnownLabels.Hostname, "app", "web"))
            .Solve();

        Assert.Null(o.ExistingNodeOf("web"));
        Assert.NotNull(o.ClaimOf("web"));
    }

    [Fact]
    public void ZonalPodAffinityKeepsAllPodsInOneZone()
    {
        // Each pod needs its own node; self-affinity still holds them in a single zone.
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b", "zone-c")
            .Replicas(4, "web", p => p.Label("app", "web").PodAffinity(WellKnownLabels.Zone, "app", "web"), cpu: "5", memory: "1Gi")
            .Solve();

        o.AssertPlaced(Names("web", 4));
        Assert.Single(Names("web", 4).Select(o.ZoneOf).Distinct());
    }

    [Fact]
    public void ZonalPodAffinityFollowsAnExistingPod()
    {
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b", "zone-c")
            .Node(new NodeBuilder("db-node", "zone-b").Allocatable("1", "1Gi"))
            .Pod(new PodBuilder("db", "900m", "512Mi").Label("app", "db").BoundTo("db-node"))
            .Replicas(2, "web", p => p.Label("app", "web").PodAffinity(WellKnownLabels.Zone, "app", "db"), cpu: "1", memory: "1Gi")
            .Solve();

        Assert.All(Names("web", 2), p => Assert.Equal("zone-b", o.ZoneOf(p)));
    }

    [Fact]
    public void HostnamePodAffinityJoinsTheNodeOfTheTarget()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1").Allocatable("4", "8Gi"))
            .Node(new NodeBuilder("node-2").Allocatable("4", "8Gi"))
            .Pod(new PodBuilder("cache", "100m", "128Mi").Label("app", "cache").BoundTo("node-2"))
            .Pod(new PodBuilder("web", "100m", "128Mi").PodAffinity(WellKnownLabels.Hostname, "app", "cache"))
            .Solve();

        Assert.Equal("node-2", o.ExistingNodeOf("web"));
    }

    [Fact]
    public void AffinityToAPodThatDoesNotExistIsUnschedulable()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "100m", "128Mi").Label("app", "web").PodAffinity(WellKnownLabels.Zone, "app", "missing"))
            .Solve();

        Assert.Empty(o.Claims);
        o.AssertUnschedulable("web", "affinity", "topology");
    }

    [Fact]
    public void AffinityToAZonePinnedPodInTheSameBatchIsSatisfied()
    {
        // Karpenter records a batch pod's zone only once its claim is pinned to one zone (here by a nodeSelector).
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Pod(new PodBuilder("db", "5", "1Gi").Label("app", "db").NodeSelector(WellKnownLabels.Zone, "zone-b"))
            .Pod(new PodBuilder("web", "100m", "128Mi").PodAffinity(WellKnownLabels.Zone, "app", "db"))
            .Solve();

        o.AssertPlaced("db", "web");
        Assert.Equal("zone-b", o.ZoneOf("web"));
    }

    [Fact]
    public void HostnameAffinityToAPodInTheSameBatchSharesItsNode()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("db", "1", "1Gi").Label("app", "db"))
            .Pod(new PodBuilder("web", "100m", "128Mi").PodAffinity(WellKnownLabels.Hostname, "app", "db"))
            .Solve();

        o.AssertPlaced("db", "web");
        Assert.Equal(o.PlacementOf("db"), o.PlacementOf("web"));
    }

    [Fact]
    public void AnExistingPodsAntiAffinityRepelsPodsItSelects()
    {
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Node(new NodeBuilder("node-a", "zone-a").Allocatable("8", "16Gi"))
            .Pod(new PodBuilder("guard", "100m", "128Mi").Label("app", "guard").PodAntiAffinity(WellKnownLabels.Zone, "app", "web").BoundTo("node-a"))
            .Replicas(2, "web", p => p.Label("app", "web"))
            .Solve();

        o.AssertPlaced(Names("web", 2));
        Assert.All(Names("web", 2), p => Assert.Equal("zone-b", o.ZoneOf(p)));
    }

    [Fact]
    public void AnExistingPodsHostnameAntiAffinityKeepsSelectedPodsOffItsNode()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1").Allocatable("8", "16Gi"))
            .Pod(new PodBuilder("guard", "100m", "128Mi").Label("app", "guard").PodAntiAffinity(WellKnownLabels.Hostname, "app", "web").BoundTo("node-1"))
            .Pod(new PodBuilder("web", "100m", "128Mi").Label("app", "web"))
            .Pod(new PodBuilder("other", "100m", "128Mi").Label("app", "other"))
            .Solve();

        Assert.Null(o.ExistingNodeOf("web"));
        Assert.NotNull(o.ClaimOf("web"));
        Assert.Equal("node-1", o.ExistingNodeOf("other"));
    }

    [Fact]
    public void ZonalAntiAffinityIsHonouredAgainstPodsPlacedEarlierInTheBatch()
    {
        // "big" schedules first (larger request) and is selected by the guard's anti-affinity:
        // the two must never share a zone (Karpenter may also hold the guard back for the next batch).
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Pod(new PodBuilder("big", "7", "1Gi").Label("app", "db"))
            .Pod(new PodBuilder("guard", "500m", "1Gi").Label("app", "db").PodAntiAffinity(WellKnownLabels.Zone, "app", "db"))
            .Solve();

        o.AssertPlaced("big");
        if (o.IsPlaced("guard"))
        {
            Assert.NotEqual(o.ZoneOf("big"), o.ZoneOf("guard"));
        }
    }

    [Fact]
    public void ZonalAntiAffinityIsHonouredAgainstPlainPodsOfTheBatch()
    {
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Replicas(3, "db", p => p.Label("app", "db"), cpu: "1", memory: "1Gi")
            .Pod(new PodBuilder("guard", "500m", "1Gi").Label("app", "guard").PodAntiAffinity(WellKnownLabels.Zone, "app", "db"))
            .Solve();

        o.AssertPlaced(Names("db", 3));
        if (o.IsPlaced("guard"))
        {
            Assert.DoesNotContain(o.ZoneOf("guard"), Names("db", 3).Select(o.ZoneOf));
        }
    }

    [Fact]
    public void ZonalAntiAffinityNeverPutsTwoMatchingPodsInOneZone()
    {
        // Karpenter may hold back pods whose zone is still undecided; at most one pod per zone is the guarantee.
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Replicas(3, "web", p => p.Label("app", "web").PodAntiAffinity(WellKnownLabels.Zone, "app", "web"))
            .Solve();

        var placed = Names("web", 3).Where(o.IsPlaced).ToList();
        Assert.InRange(placed.Count, 1, 2);
        Assert.Equal(placed.Count, placed.Select(o.ZoneOf).Distinct().Count());
        Assert.All(Names("web", 3).Where(p => !o.IsPlaced(p)), p => o.AssertUnschedulable(p));
    }
}
