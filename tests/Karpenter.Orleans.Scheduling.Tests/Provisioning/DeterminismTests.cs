using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>The same input always gives the same plan: names, types, offerings and pods.</summary>
public sealed class DeterminismTests
{
    private static Scenario Mixed() =>
        new Scenario("zone-a", "zone-b", "zone-c")
            .Type("c2", "2", "4Gi", 0.10, t => t.OnDemand(0.10, "zone-a", "zone-b", "zone-c").Spot(0.04, "zone-a", "zone-b"))
            .Type("c4", "4", "8Gi", 0.20, t => t.OnDemand(0.20, "zone-a", "zone-b", "zone-c").Spot(0.07, "zone-c"))
            .Type("m8", "8", "32Gi", 0.45, t => t.Label(WellKnownLabels.Arch, "arm64"))
            .Pool(new NodePoolBuilder("spot").Weight(20).Requirement(WellKnownLabels.CapacityType, RequirementOperator.In, CapacityTypes.Spot, CapacityTypes.OnDemand))
            .Pool(new NodePoolBuilder("limited").Weight(50).Limit("cpu", "4"))
            .Node(new NodeBuilder("node-1", "zone-b").Allocatable("2", "4Gi"))
            .Pod(new PodBuilder("old", "500m", "512Mi").Label("app", "web").BoundTo("node-1"))
            .DaemonSet(new DaemonSetBuilder("logs", "100m", "64Mi"))
            .Replicas(7, "web", p => p.Label("app", "web").Spread(WellKnownLabels.Zone, 1, "app", "web"), cpu: "700m", memory: "1Gi")
            .Replicas(3, "db", p => p.Label("app", "db").PodAntiAffinity(WellKnownLabels.Hostname, "app", "db"), cpu: "1500m", memory: "2Gi")
            .Replicas(5, "batch", cpu: "250m", memory: "256Mi")
            .Pod(new PodBuilder("proxy-0").HostPort(80))
            .Pod(new PodBuilder("proxy-1").HostPort(80))
            .Pod(new PodBuilder("arm", "1", "1Gi").NodeSelector(WellKnownLabels.Arch, "arm64"));

    [Fact]
    public void SolvingTheSameInputTwiceGivesTheSameResult()
    {
        var input = Mixed().Input();

        var first = ProvisioningSolver.Solve(input);
        var second = ProvisioningSolver.Solve(input);

        Assert.Equal(Outcome.Canonical(first), Outcome.Canonical(second));
    }

    [Fact]
    public void SolvingAnEqualFreshlyBuiltInputGivesTheSameResult()
    {
        var first = ProvisioningSolver.Solve(Mixed().Input());
        var second = ProvisioningSolver.Solve(Mixed().Input());

        Assert.Equal(Outcome.Canonical(first), Outcome.Canonical(second));
        Assert.NotEmpty(first.NodeClaims);
    }

    [Fact]
    public void TheMixedPlanIsValid()
    {
        var o = Mixed().Solve();

        PlanChecker.AssertValid(o.Input, o.Result);
    }
}
