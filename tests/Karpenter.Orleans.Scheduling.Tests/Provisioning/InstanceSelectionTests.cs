using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>Which instance type and offering a claim launches, and the options it reports.</summary>
public sealed class InstanceSelectionTests
{
    private const string Spot = CapacityTypes.Spot;
    private const string OnDemand = CapacityTypes.OnDemand;

    [Fact]
    public void LaunchesTheCheapestTypeThatFits()
    {
        var o = TestCatalogs.ThreeSizes().Pod(new PodBuilder("web", "3", "1Gi")).Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal("m4", claim.InstanceType);
        Assert.Equal(0.20, claim.PricePerHour, 9);
        Assert.Equal(["m4", "l8"], claim.InstanceTypeOptions);
        Assert.Equal(["default/web"], claim.Pods);
    }

    [Fact]
    public void CheapestMeansLowestPriceNotSmallestSize()
    {
        var o = new Scenario()
            .Type("new2", "2", "4Gi", 0.18)
            .Type("old4", "4", "8Gi", 0.15)
            .Type("big8", "8", "16Gi", 0.30)
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal("old4", claim.InstanceType);
        Assert.Equal(["old4", "new2", "big8"], claim.InstanceTypeOptions);
    }

    [Fact]
    public void OptionsAreCheapestFirstAndEveryOptionFitsEveryPodOfItsClaim()
    {
        var s = new Scenario("zone-a", "zone-b")
            .Type("c1", "1", "2Gi", 0.05)
            .Type("c2", "2", "4Gi", 0.11)
            .Type("m2", "2", "8Gi", 0.13)
            .Type("c4", "4", "8Gi", 0.19)
            .Type("m4", "4", "16Gi", 0.24)
            .Type("c8", "8", "16Gi", 0.35)
            .Replicas(5, "api", cpu: "1500m", memory: "3Gi")
            .Replicas(4, "worker", cpu: "300m", memory: "512Mi");
        var o = s.Solve();

        Assert.Empty(o.Result.Unschedulable);
        Assert.NotEmpty(o.Claims);
        PlanChecker.AssertValid(o.Input, o.Result, null, ViolationKind.Fit, ViolationKind.Offering, ViolationKind.Accounting);
    }

    [Fact]
    public void ReportsAtMostSixtyOptionsAndTheyAreTheSixtyCheapest()
    {
        var s = new Scenario();
        var prices = new Dictionary<string, double>();
        for (var i = 0; i < 70; i++)
        {
            // Prices deliberately not in name order.
            var price = 0.10 + (((i * 37) % 70) * 0.001);
            var name = $"t{i:D2}";
            prices[name] = price;
            s.Type(name, "4", "8Gi", price);
        }

        var o = s.Pod(new PodBuilder("web", "1", "1Gi")).Solve();

        var claim = Assert.Single(o.Claims);
        var expected = prices.OrderBy(p => p.Value).Take(60).Select(p => p.Key).ToList();
        Assert.Equal(60, claim.InstanceTypeOptions.Count);
        Assert.Equal(expected, claim.InstanceTypeOptions);
        Assert.Equal(expected[0], claim.InstanceType);
    }

    [Fact]
    public void MaxInstanceTypesOptionBoundsTheReportedOptions()
    {
        var s = new Scenario();
        for (var i = 0; i < 10; i++)
        {
            s.Type($"t{i}", "4", "8Gi", 0.10 + (i * 0.01));
        }

        var o = s.Pod(new PodBuilder("web", "1", "1Gi")).Solve(new SolverOptions { MaxInstanceTypes = 3 });

        Assert.Equal(["t0", "t1", "t2"], Assert.Single(o.Claims).InstanceTypeOptions);
    }

    [Fact]
    public void LaunchesTheCheapestAvailableOfferingAndNeverAnUnavailableOne()
    {
        var o = new Scenario("zone-a", "zone-b", "zone-c")
            .Type("m", "2", "4Gi", 0.10, t => t
                .Offering("zone-a", OnDemand, 0.10)
                .Offering("zone-b", OnDemand, 0.08, available: false)
                .Offering("zone-a", Spot, 0.03, available: false)
                .Offering("zone-b", Spot, 0.04)
                .Offering("zone-c", Spot, 0.05))
            .Pool(new NodePoolBuilder().Requirement(WellKnownLabels.CapacityType, RequirementOperator.In, Spot, OnDemand))
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal(("zone-b", Spot, 0.04), (claim.Zone, claim.CapacityType, claim.PricePerHour));
    }

    [Fact]
    public void SpotIsNotUsedWhenTheNodePoolAllowsOnlyOnDemand()
    {
        var o = new Scenario("zone-a", "zone-b")
            .Type("m", "2", "4Gi", 0.10, t => t
                .Offering("zone-a", OnDemand, 0.10)
                .Offering("zone-b", OnDemand, 0.09)
                .Offering("zone-a", Spot, 0.03))
            .Pool(new NodePoolBuilder().Requirement(WellKnownLabels.CapacityType, RequirementOperator.In, OnDemand))
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal(("zone-b", OnDemand, 0.09), (claim.Zone, claim.CapacityType, claim.PricePerHour));
    }

    [Fact]
    public void ATypeIsPricedByItsCheapestAvailableOffering()
    {
        // "big" is dearer on-demand but its spot offering undercuts every offering of "small".
        var o = new Scenario("zone-a")
            .Type("small", "2", "4Gi", 0.10, t => t.Offering("zone-a", OnDemand, 0.10).Offering("zone-a", Spot, 0.02, available: false))
            .Type("big", "4", "8Gi", 0.20, t => t.Offering("zone-a", OnDemand, 0.20).Offering("zone-a", Spot, 0.06))
            .Pool(new NodePoolBuilder().Requirement(WellKnownLabels.CapacityType, RequirementOperator.In, Spot, OnDemand))
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal(("big", Spot, 0.06), (claim.InstanceType, claim.CapacityType, claim.PricePerHour));
        Assert.Equal(["big", "small"], claim.InstanceTypeOptions);
    }

    [Fact]
    public void ATypeWithNoAvailableOfferingIsNeverAnOption()
    {
        var o = new Scenario("zone-a")
            .Type("gone", "2", "4Gi", 0.01, t => t.Offering("zone-a", OnDemand, 0.01, available: false))
            .Type("here", "2", "4Gi", 0.10)
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal("here", claim.InstanceType);
        Assert.DoesNotContain("gone", claim.InstanceTypeOptions);
    }

    [Fact]
    public void ClaimLabelsCarryZoneCapacityTypeInstanceTypeAndNodePool()
    {
        var o = TestCatalogs.ThreeSizes("zone-a")
            .Pool(new NodePoolBuilder("general").Label(TestLabels.Team, "web"))
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal("general", claim.NodePool);
        Assert.Equal("zone-a", claim.Labels[WellKnownLabels.Zone]);
        Assert.Equal(OnDemand, claim.Labels[WellKnownLabels.CapacityType]);
        Assert.Equal(claim.InstanceType, claim.Labels[WellKnownLabels.InstanceType]);
        Assert.Equal("general", claim.Labels[WellKnownLabels.NodePool]);
        Assert.Equal("web", claim.Labels[TestLabels.Team]);
    }

    [Fact]
    public void WithoutNodePoolsTheDefaultNodePoolIsUsed()
    {
        var o = TestCatalogs.ThreeSizes().WithoutNodePools().Pod(new PodBuilder("web", "1", "1Gi")).Solve();

        Assert.Equal("default", Assert.Single(o.Claims).NodePool);
    }

    [Fact]
    public void PodsShareAClaimWhenTheyFitTogether()
    {
        var o = TestCatalogs.ThreeSizes().Replicas(3, "web", cpu: "500m", memory: "512Mi").Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal("s2", claim.InstanceType);
        Assert.Equal(3, claim.Pods.Count);
    }
}
