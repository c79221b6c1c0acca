using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Resources;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>
/// The oracle itself under test: each case solves a small scenario, shows the checker accepts the solver's
/// plan, then breaks the plan in one way and shows the checker rejects it with the matching violation.
/// </summary>
public sealed class PlanCheckerMutationTests
{
    private static Scenario Sized(params string[] zones) =>
        new Scenario(zones).Type("m4", "4", "16Gi", 0.20, t => TestCatalogs.Common(t, "b", "4"));

    [Fact]
    public void MergingTwoFullClaimsOverfillsTheNode()
    {
        var o = Valid(Sized().Replicas(2, "big", cpu: "3"));
        Rejects(o, Merge(o.Result, 0, 1), ViolationKind.Fit, "exceed allocatable");
    }

    [Fact]
    public void InitContainerPeakCountsTowardsFit()
    {
        // Containers alone (1 cpu each) would fit two pods on 4 cpu; the 3-cpu init container does not.
        var o = Valid(Sized().Replicas(2, "init", p => p.InitContainer("3", "1Gi"), cpu: "1"));
        Assert.Equal(2, o.Claims.Count);
        Rejects(o, Merge(o.Result, 0, 1), ViolationKind.Fit, "overhead {cpu=6,");
    }

    [Fact]
    public void SidecarAndOverheadCountTowardsFit()
    {
        // Each pod: 1.5 cpu app + 0.5 cpu sidecar (restartPolicy Always) + 0.25 cpu overhead = 2.25 cpu.
        var o = Valid(Sized().Replicas(2, "side", p => p.Sidecar("500m", "64Mi").Overhead("250m", "64Mi"), cpu: "1500m"));
        Assert.Equal(2, o.Claims.Count);
        Rejects(o, Merge(o.Result, 0, 1), ViolationKind.Fit, "{cpu=4.5");
    }

    [Fact]
    public void ZoneSpreadCollapsedIntoOneZoneIsRejected()
    {
        var o = Valid(Sized("zone-a", "zone-b", "zone-c").Replicas(3, "s", p => p.Label("sg", "g").Spread(WellKnownLabels.Zone, 1, "sg", "g"), cpu: "3"));
        Assert.Equal(3, o.Claims.Select(c => c.Zone).Distinct().Count());
        var mutated = PlanMutations.WithClaims(o.Result, [.. o.Claims.Select(c => InZone(c, "zone-a"))]);
        Rejects(o, mutated, ViolationKind.Placement, "topology.kubernetes.io/zone spread (maxSkew 1)");
    }

    [Fact]
    public void HostnameSpreadOnOneNodeIsRejected()
    {
        var o = Valid(Sized().Replicas(2, "h", p => p.Label("sg", "h").Spread(WellKnownLabels.Hostname, 1, "sg", "h")));
        Assert.Equal(2, o.Claims.Count);
        Rejects(o, Merge(o.Result, 0, 1), ViolationKind.Placement, "hostname spread (maxSkew 1)");
    }

    [Fact]
    public void PodOnATaintItDoesNotTolerateIsRejected()
    {
        var s = Sized()
            .Pool(new NodePoolBuilder("dedicated").Taint("dedicated", "gpu"))
            .Pool(new NodePoolBuilder("general"))
            .Pod(new PodBuilder("plain"));
        var o = Valid(s);
        var claim = Assert.Single(o.Claims);
        Assert.Equal("general", claim.NodePool);
        var moved = claim with
        {
            NodePool = "dedicated",
            Taints = [new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }],
            Labels = With(claim.Labels, WellKnownLabels.NodePool, "dedicated"),
        };
        Rejects(o, PlanMutations.WithClaims(o.Result, [moved]), ViolationKind.Placement, "does not tolerate the node's taints");
    }

    [Fact]
    public void ExceedingTheNodePoolCpuLimitIsRejected()
    {
        var o = Valid(Sized().Pool(new NodePoolBuilder("default").Limit("cpu", "8")).Replicas(3, "big", cpu: "3"));
        Rejects(o, PlaceTheUnschedulable(o), ViolationKind.Limits, "cpu usage 12 exceeds limit 8");
    }

    [Fact]
    public void ExceedingTheNodePoolNodeLimitIsRejected()
    {
        var o = Valid(Sized().Pool(new NodePoolBuilder("default").Limit("nodes", "1")).Replicas(2, "big", cpu: "3"));
        Rejects(o, PlaceTheUnschedulable(o), ViolationKind.Limits, "exceed limits.nodes=1");
    }

    [Fact]
    public void NodeSelectorOnTheWrongTypeIsRejected()
    {
        var s = Sized()
            .Type("g4", "4", "16Gi", 0.50, t => TestCatalogs.Common(t, "g", "4").Label(TestLabels.Accelerator, "gpu"))
            .Pod(new PodBuilder("needs-gpu").NodeSelector(TestLabels.Accelerator, "gpu"));
        var o = Valid(s);
        Assert.Equal("g4", Assert.Single(o.Claims).InstanceType);
        Rejects(o, PlanMutations.WithClaims(o.Result, [AsType(o.Claims[0], "m4", 0.20, TestLabels.Accelerator)]), ViolationKind.Placement, "nodeSelector/required node affinity not satisfied");
    }

    [Fact]
    public void RequiredNodeAffinityOnTheWrongTypeIsRejected()
    {
        var s = Sized()
            .Type("c4", "4", "16Gi", 0.50, t => TestCatalogs.Common(t, "c", "4"))
            .Pod(new PodBuilder("family-c").RequiredNodeAffinity(PodBuilder.Expr(TestLabels.Family, "In", "c")));
        var o = Valid(s);
        Assert.Equal("c4", Assert.Single(o.Claims).InstanceType);
        Rejects(o, PlanMutations.WithClaims(o.Result, [AsType(o.Claims[0], "m4", 0.20, TestLabels.Family)]), ViolationKind.Placement, "nodeSelector/required node affinity not satisfied");
    }

    [Fact]
    public void HostnameAntiAffinityOnOneNodeIsRejected()
    {
        var o = Valid(Sized().Replicas(2, "a", p => p.Label("app", "web").PodAntiAffinity(WellKnownLabels.Hostname, "app", "web")));
        Assert.Equal(2, o.Claims.Count);
        Rejects(o, Merge(o.Result, 0, 1), ViolationKind.Placement, "whose hostname anti-affinity selects it");
    }

    [Fact]
    public void ZonalAntiAffinityInOneZoneIsRejected()
    {
        var o = Valid(Sized("zone-a", "zone-b").Replicas(2, "z", p => p.Label("app", "db").PodAntiAffinity(WellKnownLabels.Zone, "app", "db")));
        Assert.Equal(2, o.Claims.Select(c => c.Zone).Distinct().Count());
        var mutated = PlanMutations.WithClaims(o.Result, [.. o.Claims.Select(c => InZone(c, "zone-a"))]);
        Rejects(o, mutated, ViolationKind.Placement, "is in topology.kubernetes.io/zone=zone-a with");
    }

    [Fact]
    public void DroppingAPlaceablePodIsRejected()
    {
        var o = Valid(Sized().Pod(new PodBuilder("picky").NodeSelector(TestLabels.Family, "b")));
        Rejects(o, PlanMutations.DropConstrainedPod(o.Input, o.Result), ViolationKind.Completeness, "default/picky is unschedulable (dropped by the test) but fits alone on a new m4 node");
    }

    [Fact]
    public void DroppingAPodThatFitsBesideOthersIsRejected()
    {
        // The NodePool allows one node, so only the room left on the claim could take the dropped pod.
        var o = Valid(Sized().Pool(new NodePoolBuilder("default").Limit("nodes", "1")).Replicas(2, "pair", p => p.Tolerate("other", "x")));
        var claim = Assert.Single(o.Claims);
        Rejects(o, PlanMutations.DropConstrainedPod(o.Input, o.Result), ViolationKind.Completeness, $"is unschedulable (dropped by the test) but fits in the room left on claim {claim.Name} (m4)");
    }

    [Fact]
    public void PodsThatCannotRunAnywhereAreAccepted()
    {
        // Too big for every type, a selector no type matches, a taint not tolerated, and a limit used up.
        var s = Sized()
            .Pool(new NodePoolBuilder("default").Limit("cpu", "4"))
            .Pool(new NodePoolBuilder("tainted").Taint("dedicated", "x").Weight(0))
            .Pod(new PodBuilder("first", cpu: "3"))
            .Pod(new PodBuilder("huge", cpu: "5"))
            .Pod(new PodBuilder("arm").NodeSelector(WellKnownLabels.Arch, "arm64"))
            .Pod(new PodBuilder("over-limit", cpu: "2"));
        var o = s.Solve();
        PlanChecker.AssertValid(o.Input, o.Result);
        Assert.Equal(new[] { "default/arm", "default/huge", "default/over-limit" }, o.Result.Unschedulable.Select(u => u.Pod).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void OracleRequestsFollowKubernetesRules()
    {
        var pod = new PodBuilder("p", "1", "1Gi")
            .Container("500m", "512Mi")
            .InitContainer("2", "256Mi")
            .Sidecar("250m", "128Mi")
            .Overhead("100m", "64Mi")
            .Build(DateTime.UnixEpoch, "u");

        // Sidecar declared after the init container: app = 1.5 + 0.25 cpu; init peak = 2 cpu (sidecar not yet up).
        var r = PodFacts.Requests(pod);
        Assert.Equal(2.1m, r[ResourceNames.Cpu]);
        Assert.Equal((1536m + 128m + 64m) * 1024 * 1024, r[ResourceNames.Memory]);
        Assert.Equal(1m, r[ResourceNames.Pods]);
    }

    private static Outcome Valid(Scenario s)
    {
        var o = s.Solve();
        PlanChecker.AssertValid(o.Input, o.Result);
        return o;
    }

    private static void Rejects(Outcome o, SchedulingResult mutated, ViolationKind kind, string fragment)
    {
        var found = PlanChecker.Check(o.Input, mutated);
        Assert.True(
            found.Any(v => v.Kind == kind && v.Message.Contains(fragment, StringComparison.Ordinal)),
            $"expected a {kind} violation containing \"{fragment}\", got:\n{string.Join("\n", found)}\n--- mutated ---\n{Outcome.Canonical(mutated)}");
    }

    // All pods of claim j join claim i; claim j goes.
    private static SchedulingResult Merge(SchedulingResult r, int i, int j)
    {
        var claims = r.NodeClaims.ToList();
        claims[i] = claims[i] with { Pods = [.. claims[i].Pods, .. claims[j].Pods] };
        claims.RemoveAt(j);
        return PlanMutations.WithClaims(r, claims);
    }

    // Every unschedulable pod gets a copy of the first claim of its own.
    private static SchedulingResult PlaceTheUnschedulable(Outcome o)
    {
        Assert.NotEmpty(o.Result.Unschedulable);
        var template = o.Claims[0];
        var extra = o.Result.Unschedulable.Select((u, i) => template with { Name = $"extra-{i}", Pods = [u.Pod] });
        return PlanMutations.WithClaims(o.Result, [.. o.Claims, .. extra], []);
    }

    private static PlannedNodeClaim InZone(PlannedNodeClaim c, string zone) =>
        c with { Zone = zone, Labels = With(c.Labels, WellKnownLabels.Zone, zone) };

    // The claim relaunched as another type; the label the pod selected on is dropped from the claim's own labels.
    private static PlannedNodeClaim AsType(PlannedNodeClaim c, string type, double price, string dropLabel)
    {
        var labels = With(c.Labels, WellKnownLabels.InstanceType, type);
        labels.Remove(dropLabel);
        return c with { InstanceType = type, InstanceTypeOptions = [type], PricePerHour = price, Labels = labels };
    }

    private static Dictionary<string, string> With(IReadOnlyDictionary<string, string> labels, string key, string value) =>
        new(labels) { [key] = value };
}
