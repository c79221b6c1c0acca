using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Resources;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>
/// NodeClaims in flight are capacity on its way: their nominated pods hold their room and count for
/// topology, new pending pods may go there, and what goes there is reported by claim name.
/// </summary>
public sealed class InFlightNodeClaimTests
{
    private static InFlightNodeClaim Claim(string name, string type = "m4", string zone = "zone-a", params string[] nominated) => new()
    {
        Name = name,
        NodePool = "default",
        InstanceType = type,
        Zone = zone,
        CapacityType = CapacityTypes.OnDemand,
        NominatedPods = [.. nominated.Select(Outcome.Key)],
    };

    [Fact]
    public void A_pending_pod_that_fits_an_in_flight_claim_goes_there_and_no_claim_is_made()
    {
        var o = TestCatalogs.ThreeSizes()
            .NodeClaim(Claim("default-x7k2p"))
            .Pod(new PodBuilder("web", "2", "2Gi"))
            .Solve();

        Assert.Empty(o.Claims);
        Assert.Empty(o.Result.ExistingNodes);
        var placement = Assert.Single(o.Result.NodeClaimPlacements);
        Assert.Equal("default-x7k2p", placement.NodeClaim);
        Assert.Equal(["default/web"], placement.Pods);
        Assert.Equal(1, o.Result.Summary.Scheduled);
    }

    [Fact]
    public void Nominated_pods_are_not_planned_again_nor_reported_as_placements()
    {
        var o = TestCatalogs.ThreeSizes()
            .NodeClaim(Claim("default-x7k2p", nominated: ["web-0", "web-1"]))
            .Replicas(2, "web", cpu: "1", memory: "1Gi")
            .Solve();

        Assert.Empty(o.Claims);
        Assert.Empty(o.Result.NodeClaimPlacements);
        Assert.Empty(o.Result.Unschedulable);
        Assert.Equal(0, o.Result.Summary.Pods);
    }

    [Fact]
    public void Nominated_pods_take_their_room_on_the_claim()
    {
        // m4 has 4 cpu: 3 are nominated, so a 2-cpu pod needs a new claim while a 1-cpu pod still fits.
        var o = TestCatalogs.ThreeSizes()
            .NodeClaim(Claim("default-x7k2p", nominated: ["big"]))
            .Pod(new PodBuilder("big", "3", "1Gi"))
            .Pod(new PodBuilder("two", "2", "1Gi"))
            .Pod(new PodBuilder("one", "1", "1Gi"))
            .Solve();

        Assert.Equal("default-x7k2p", o.InFlightClaimOf("one"));
        Assert.NotNull(o.ClaimOf("two"));
        Assert.Null(o.PlacementOf("big"));
    }

    [Fact]
    public void The_claims_room_comes_from_its_instance_type_in_the_catalog()
    {
        var o = TestCatalogs.ThreeSizes()
            .NodeClaim(Claim("default-s", type: "s2"))
            .Replicas(3, "web", cpu: "900m", memory: "1Gi")
            .Solve();

        Assert.Equal(2, o.Result.NodeClaimPlacements.Single().Pods.Count);
        Assert.Single(o.Claims);
    }

    [Fact]
    public void Given_allocatable_overrides_the_catalogs()
    {
        var o = TestCatalogs.ThreeSizes()
            .NodeClaim(Claim("default-s", type: "s2") with { Allocatable = ResourceVector.Parse(new Dictionary<string, string> { ["cpu"] = "1", ["memory"] = "4Gi", ["pods"] = "110" }) })
            .Pod(new PodBuilder("web", "1500m", "1Gi"))
            .Solve();

        Assert.Empty(o.Result.NodeClaimPlacements);
        Assert.NotNull(o.ClaimOf("web"));
    }

    [Fact]
    public void Claims_are_filled_only_after_the_nodes_that_are_there()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1").Allocatable("4", "8Gi"))
            .NodeClaim(Claim("a-claim"))
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        Assert.Equal("node-1", o.ExistingNodeOf("web"));
        Assert.Empty(o.Result.NodeClaimPlacements);
    }

    [Fact]
    public void A_zonal_spread_counts_the_pods_nominated_to_claims()
    {
        // Two web pods are on their way to zone-a: with maxSkew 1 the next two go to the other zones.
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b", "zone-c")
            .NodeClaim(Claim("default-a", type: "l8", zone: "zone-a", nominated: ["web-0", "web-1"]))
            .Replicas(4, "web", p => p.Label("app", "web").Spread(WellKnownLabels.Zone, 1, "app", "web"), cpu: "500m", memory: "512Mi")
            .Solve();

        Assert.Equal("zone-a", o.Input.NodeClaims[0].Zone);
        Assert.Equal(["zone-b", "zone-c"], new[] { o.ClaimOf("web-2")?.Zone, o.ClaimOf("web-3")?.Zone }.Order(StringComparer.Ordinal));
        Assert.Empty(o.Result.NodeClaimPlacements);
    }

    [Fact]
    public void A_hostname_spread_counts_the_pods_nominated_to_claims()
    {
        var o = TestCatalogs.ThreeSizes()
            .NodeClaim(Claim("default-a", type: "l8", nominated: ["web-0"]))
            .Replicas(2, "web", p => p.Label("app", "web").Spread(WellKnownLabels.Hostname, 1, "app", "web"), cpu: "500m", memory: "512Mi")
            .Solve();

        // web-1 on the claim would make it 2 against 0 on a new node.
        Assert.Null(o.InFlightClaimOf("web-1"));
        Assert.NotNull(o.ClaimOf("web-1"));
    }

    [Fact]
    public void Required_anti_affinity_keeps_a_pod_off_a_claim_whose_nominated_pod_it_repels()
    {
        var o = TestCatalogs.ThreeSizes()
            .NodeClaim(Claim("default-a", type: "l8", nominated: ["db-0"]))
            .Pod(new PodBuilder("db-0", "1", "1Gi").Label("app", "db"))
            .Pod(new PodBuilder("db-1", "1", "1Gi").Label("app", "db").PodAntiAffinity(WellKnownLabels.Hostname, "app", "db"))
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        Assert.Null(o.InFlightClaimOf("db-1"));
        Assert.NotNull(o.ClaimOf("db-1"));
        Assert.Equal("default-a", o.InFlightClaimOf("web"));
    }

    [Fact]
    public void A_nominated_pods_required_anti_affinity_keeps_matching_pods_off_its_claim()
    {
        var o = TestCatalogs.ThreeSizes()
            .NodeClaim(Claim("default-a", type: "l8", nominated: ["loner"]))
            .Pod(new PodBuilder("loner", "1", "1Gi").Label("app", "loner").PodAntiAffinity(WellKnownLabels.Hostname, "app", "web"))
            .Pod(new PodBuilder("web", "1", "1Gi").Label("app", "web"))
            .Solve();

        Assert.Null(o.InFlightClaimOf("web"));
        Assert.NotNull(o.ClaimOf("web"));
    }

    [Fact]
    public void A_claims_taints_keep_pods_that_do_not_tolerate_them_off()
    {
        var o = TestCatalogs.ThreeSizes()
            .NodeClaim(Claim("default-a") with { Taints = [new V1Taint { Key = "dedicated", Value = "db", Effect = "NoSchedule" }] })
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Pod(new PodBuilder("db", "1", "1Gi").Tolerate("dedicated", "db"))
            .Solve();

        Assert.Null(o.InFlightClaimOf("web"));
        Assert.NotNull(o.ClaimOf("web"));
        Assert.Equal("default-a", o.InFlightClaimOf("db"));
    }

    [Fact]
    public void A_claims_zone_and_labels_decide_which_pods_it_takes()
    {
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .NodeClaim(Claim("default-a", zone: "zone-a") with { Labels = new Dictionary<string, string> { [TestLabels.Team] = "ml" } })
            .Pool(new NodePoolBuilder("default").Label(TestLabels.Team, "ml"))
            .Pod(new PodBuilder("in-b", "1", "1Gi").NodeSelector(WellKnownLabels.Zone, "zone-b"))
            .Pod(new PodBuilder("ml", "1", "1Gi").NodeSelector(TestLabels.Team, "ml"))
            .Pod(new PodBuilder("m4-only", "1", "1Gi").NodeSelector(WellKnownLabels.InstanceType, "m4"))
            .Solve();

        Assert.Equal("zone-b", o.ClaimOf("in-b")?.Zone);
        Assert.Equal("default-a", o.InFlightClaimOf("ml"));
        Assert.Equal("default-a", o.InFlightClaimOf("m4-only"));
    }

    [Fact]
    public void A_claim_counts_against_its_NodePools_limits()
    {
        // The claim's m4 takes the whole 4-cpu limit: a pod that does not fit on it cannot get a new claim.
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder("default").Limit("cpu", "4"))
            .NodeClaim(Claim("default-a", nominated: ["big"]))
            .Pod(new PodBuilder("big", "3", "1Gi"))
            .Pod(new PodBuilder("web", "2", "1Gi"))
            .Solve();

        Assert.Empty(o.Claims);
        o.AssertUnschedulable("web", "limit");
    }

    [Fact]
    public void DaemonSet_overhead_takes_room_on_a_claim()
    {
        var o = TestCatalogs.ThreeSizes()
            .DaemonSet(new DaemonSetBuilder("agent", "1", "1Gi"))
            .NodeClaim(Claim("default-s", type: "s2"))
            .Pod(new PodBuilder("web", "1500m", "1Gi"))
            .Solve();

        Assert.Null(o.InFlightClaimOf("web"));
        Assert.NotNull(o.ClaimOf("web"));
    }

    [Fact]
    public void A_joined_node_without_allocatable_counts_with_its_claims_type_and_its_placements_name_the_claim()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("ip-10-0-0-1").NodePool("default").WithoutResources())
            .NodeClaim(Claim("default-a", nominated: ["held"]) with { NodeName = "ip-10-0-0-1" })
            .Pod(new PodBuilder("held", "2", "1Gi"))
            .Pod(new PodBuilder("running", "1", "1Gi").BoundTo("ip-10-0-0-1"))
            .Pod(new PodBuilder("fits", "1", "1Gi"))
            .Pod(new PodBuilder("other", "1", "1Gi"))
            .Solve();

        // m4's 4 cpu: 2 held by the nomination, 1 by the bound pod, 1 left.
        Assert.Empty(o.Result.ExistingNodes);
        var placement = Assert.Single(o.Result.NodeClaimPlacements);
        Assert.Equal("default-a", placement.NodeClaim);
        Assert.Single(placement.Pods);
        Assert.Single(o.Claims);
        Assert.Equal(2, o.Result.Summary.Pods);
    }

    [Fact]
    public void A_joined_node_that_reports_allocatable_counts_with_its_own()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("ip-10-0-0-1").NodePool("default").Allocatable("1", "2Gi"))
            .NodeClaim(Claim("default-a") with { NodeName = "ip-10-0-0-1" })
            .Pod(new PodBuilder("web", "1500m", "1Gi"))
            .Solve();

        Assert.Empty(o.Result.NodeClaimPlacements);
        Assert.NotNull(o.ClaimOf("web"));
    }

    [Fact]
    public void A_joined_claim_carries_its_nodes_taints_and_labels_not_its_own()
    {
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Node(new NodeBuilder("ip-10-0-0-1", zone: "zone-b").NodePool("default").Taint("gpu", "true").WithoutResources())
            .NodeClaim(Claim("default-a", zone: "zone-a") with { NodeName = "ip-10-0-0-1" })
            .Pod(new PodBuilder("in-b", "1", "1Gi").NodeSelector(WellKnownLabels.Zone, "zone-b").Tolerate("gpu", "true"))
            .Pod(new PodBuilder("plain", "1", "1Gi").NodeSelector(WellKnownLabels.Zone, "zone-b"))
            .Solve();

        Assert.Equal("default-a", o.InFlightClaimOf("in-b"));
        Assert.NotNull(o.ClaimOf("plain"));
    }

    [Fact]
    public void Results_with_in_flight_claims_are_the_same_for_the_same_input()
    {
        var scenario = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .NodeClaim(Claim("default-a", nominated: ["web-0"]))
            .NodeClaim(Claim("default-b", zone: "zone-b"))
            .Replicas(20, "web", p => p.Label("app", "web").Spread(WellKnownLabels.Zone, 1, "app", "web"), cpu: "700m", memory: "1Gi");

        var first = Outcome.Canonical(scenario.Solve().Result);
        var second = Outcome.Canonical(scenario.Solve().Result);

        Assert.Equal(first, second);
        Assert.Contains("in-flight|default-", first, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nominated_pod_missing_from_the_pods_is_an_error_naming_it_and_the_claim()
    {
        var input = TestCatalogs.ThreeSizes().NodeClaim(Claim("default-a", nominated: ["ghost"])).Input();

        var e = Assert.Throws<ArgumentException>(() => ProvisioningSolver.Solve(input));

        Assert.Contains("default/ghost", e.Message, StringComparison.Ordinal);
        Assert.Contains("default-a", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pod_nominated_to_two_claims_is_an_error_naming_both()
    {
        var input = TestCatalogs.ThreeSizes()
            .NodeClaim(Claim("default-a", nominated: ["web"]))
            .NodeClaim(Claim("default-b", nominated: ["web"]))
            .Pod(new PodBuilder("web"))
            .Input();

        var e = Assert.Throws<ArgumentException>(() => ProvisioningSolver.Solve(input));

        Assert.Contains("default/web", e.Message, StringComparison.Ordinal);
        Assert.Contains("default-a", e.Message, StringComparison.Ordinal);
        Assert.Contains("default-b", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bound_pod_that_is_also_nominated_is_an_error()
    {
        var input = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1"))
            .NodeClaim(Claim("default-a", nominated: ["web"]))
            .Pod(new PodBuilder("web").BoundTo("node-1"))
            .Input();

        var e = Assert.Throws<ArgumentException>(() => ProvisioningSolver.Solve(input));

        Assert.Contains("node-1", e.Message, StringComparison.Ordinal);
        Assert.Contains("default/web", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("duplicate")]
    [InlineData("unknown node")]
    [InlineData("node claimed twice")]
    [InlineData("unknown type")]
    public void Malformed_claims_are_errors_naming_the_claim(string problem)
    {
        var scenario = TestCatalogs.ThreeSizes().Node(new NodeBuilder("node-1"));
        _ = problem switch
        {
            "duplicate" => scenario.NodeClaim(Claim("default-a")).NodeClaim(Claim("default-a")),
            "unknown node" => scenario.NodeClaim(Claim("default-a") with { NodeName = "node-9" }),
            "node claimed twice" => scenario.NodeClaim(Claim("default-b") with { NodeName = "node-1" }).NodeClaim(Claim("default-a") with { NodeName = "node-1" }),
            _ => scenario.NodeClaim(Claim("default-a", type: "retired")),
        };
        var input = scenario.Pod(new PodBuilder("web")).Input();

        var e = Assert.Throws<ArgumentException>(() => ProvisioningSolver.Solve(input));

        Assert.Contains("default-a", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Isolating_a_bad_pod_keeps_the_claims_nominations_consistent()
    {
        var input = TestCatalogs.ThreeSizes()
            .NodeClaim(Claim("default-a", nominated: ["held", "bad"]))
            .Pod(new PodBuilder("held", "1", "1Gi"))
            .Pod(new PodBuilder("bad", "1", "1Gi"))
            .Replicas(3, "web", cpu: "1", memory: "1Gi")
            .Input();

        // The solve fails whenever the bad pod is in: every trial the isolation makes must still be valid input.
        var solved = IsolatingSolver.Solve(input, solve: i => i.Pods.Any(p => p.Metadata.Name == "bad")
            ? throw new InvalidOperationException("boom")
            : ProvisioningSolver.Solve(i));

        Assert.Equal("default/bad", Assert.Single(solved.Quarantined).Pod);
        Assert.NotNull(solved.Result);
        Assert.Equal(3, solved.Result.Summary.Scheduled);
        Assert.Empty(solved.Result.NodeClaims);
        Assert.Equal(["default/web-0", "default/web-1", "default/web-2"], solved.Result.NodeClaimPlacements.Single().Pods);
    }
}
