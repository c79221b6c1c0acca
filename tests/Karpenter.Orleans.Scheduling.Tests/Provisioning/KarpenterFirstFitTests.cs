using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>The Karpenter-style first fit the summary compares with: Karpenter's documented order and launch choice.</summary>
public sealed class KarpenterFirstFitTests
{
    [Fact]
    public void LargestPodsGoFirstAndSmallOnesFillTheirClaim()
    {
        // 6 + 1 + 1 CPUs fit one 8-CPU node; in input order (1, 1, 6) the small pods would open a claim the
        // 6-CPU pod joins anyway, so what tells the order apart is that one claim of the 8-CPU type results.
        var input = new Scenario("zone-a")
            .Type("c2", "2", "64Gi", 0.10)
            .Type("c8", "8", "64Gi", 0.40)
            .Replicas(2, "small", cpu: "1", memory: "1Gi")
            .Pod(new PodBuilder("big", "6", "1Gi"))
            .Input();

        var plan = KarpenterFirstFit.Plan(input);

        Assert.Equal(3, plan.Scheduled);
        Assert.Equal(0, plan.Unplaced);
        var launch = Assert.Single(plan.Launches);
        Assert.Equal(("c8", 1), (launch.InstanceType, launch.Nodes));
        Assert.Equal(0.40, plan.PricePerHour, 6);
    }

    [Fact]
    public void AClaimLaunchesAsTheCheapestOfferingOfItsFittingTypes()
    {
        var input = new Scenario("zone-a", "zone-b")
            .Type("m4", "4", "16Gi", 0.20, t => t.OnDemand(0.20, "zone-a", "zone-b").Spot(0.09, "zone-a").Spot(0.06, "zone-b"))
            .Type("m8", "8", "32Gi", 0.40, t => t.OnDemand(0.40, "zone-a", "zone-b").Spot(0.05, "zone-a"))
            .Replicas(3, "web", cpu: "1", memory: "1Gi")
            .Input();

        var plan = KarpenterFirstFit.Plan(input);

        // One claim holds all three; both types fit, and m8 spot in zone-a is the cheapest offering of either.
        var launch = Assert.Single(plan.Launches);
        Assert.Equal(("m8", "zone-a", CapacityTypes.Spot, 1), (launch.InstanceType, launch.Zone, launch.CapacityType, launch.Nodes));
    }

    [Fact]
    public void ACapacityTypeSelectorKeepsItsPodsOffOtherClaims()
    {
        var input = new Scenario("zone-a")
            .Type("m8", "8", "32Gi", 0.40, t => t.OnDemand(0.40, "zone-a").Spot(0.10, "zone-a"))
            .Replicas(2, "spot", p => p.NodeSelector(WellKnownLabels.CapacityType, CapacityTypes.Spot), cpu: "2", memory: "1Gi")
            .Replicas(2, "od", p => p.NodeSelector(WellKnownLabels.CapacityType, CapacityTypes.OnDemand), cpu: "1", memory: "1Gi")
            .Input();

        var plan = KarpenterFirstFit.Plan(input);

        Assert.Equal(2, plan.NodeClaims);
        Assert.Equal([CapacityTypes.OnDemand, CapacityTypes.Spot], plan.Launches.Select(l => l.CapacityType).Order(StringComparer.Ordinal));
        Assert.Equal(0.50, plan.PricePerHour, 6);
    }

    [Fact]
    public void AZonalSpreadOpensClaimsInEveryZone()
    {
        var input = new Scenario("zone-a", "zone-b")
            .Type("m8", "8", "32Gi", 0.40)
            .Replicas(4, "web", p => p.Label("app", "web").Spread(WellKnownLabels.Zone, 1, "app", "web"), cpu: "1", memory: "1Gi")
            .Input();

        var plan = KarpenterFirstFit.Plan(input);

        Assert.Equal(4, plan.Scheduled);
        Assert.Equal(["zone-a", "zone-b"], plan.Launches.Select(l => l.Zone).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PodsNoNodePoolCanTakeAreCountedAsUnplaced()
    {
        var input = new Scenario("zone-a")
            .Type("m2", "2", "8Gi", 0.10)
            .Pod(new PodBuilder("huge", "16", "1Gi"))
            .Input();

        var plan = KarpenterFirstFit.Plan(input);

        Assert.Equal((0, 1, 0), (plan.Scheduled, plan.Unplaced, plan.NodeClaims));
    }
}
