using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>nodeSelector and required node affinity, with Karpenter's rules for undefined labels.</summary>
public sealed class NodeSelectorTests
{
    [Theory]
    [InlineData("In", new[] { "b", "c" }, TestLabels.Family, "m4", new[] { "m4", "l8" })]
    [InlineData("NotIn", new[] { "a" }, TestLabels.Family, "m4", new[] { "m4", "l8" })]
    [InlineData("Exists", new string[0], TestLabels.Accelerator, "l8", new[] { "l8" })]
    [InlineData("DoesNotExist", new string[0], TestLabels.Accelerator, "s2", new[] { "s2", "m4" })]
    [InlineData("Gt", new[] { "2" }, TestLabels.Cores, "m4", new[] { "m4", "l8" })]
    [InlineData("Lt", new[] { "8" }, TestLabels.Cores, "s2", new[] { "s2", "m4" })]
    public void RequiredNodeAffinityOperatorsNarrowTheInstanceTypes(string op, string[] values, string key, string launched, string[] options)
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "100m", "128Mi").RequiredNodeAffinity(PodBuilder.Expr(key, op, values)))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal(launched, claim.InstanceType);
        Assert.Equal(options.Order(), claim.InstanceTypeOptions.Order());
    }

    [Fact]
    public void NodeSelectorOnAnInstanceTypeLabel()
    {
        var o = TestCatalogs.ThreeSizes().Pod(new PodBuilder("web", "100m", "128Mi").NodeSelector(TestLabels.Family, "b")).Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal("m4", claim.InstanceType);
        Assert.Equal(["m4"], claim.InstanceTypeOptions);
    }

    [Fact]
    public void ExpressionsInOneTermAreAnded()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "100m", "128Mi").RequiredNodeAffinity(
                PodBuilder.Expr(TestLabels.Cores, "Gt", "2"),
                PodBuilder.Expr(TestLabels.Accelerator, "DoesNotExist")))
            .Solve();

        Assert.Equal(["m4"], Assert.Single(o.Claims).InstanceTypeOptions);
    }

    [Fact]
    public void AnUndefinedCustomLabelMakesThePodUnschedulable()
    {
        var o = TestCatalogs.ThreeSizes().Pod(new PodBuilder("web", "100m", "128Mi").NodeSelector(TestLabels.Team, "x")).Solve();

        Assert.Empty(o.Claims);
        o.AssertUnschedulable("web", TestLabels.Team);
    }

    [Fact]
    public void ANegativeRequirementOnAnUndefinedCustomLabelIsAllowed()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("not-in", "100m", "128Mi").RequiredNodeAffinity(PodBuilder.Expr(TestLabels.Team, "NotIn", "x")))
            .Pod(new PodBuilder("absent", "100m", "128Mi").RequiredNodeAffinity(PodBuilder.Expr(TestLabels.Team, "DoesNotExist")))
            .Solve();

        o.AssertPlaced("not-in", "absent");
    }

    [Fact]
    public void AWellKnownLabelTheNodePoolDoesNotDefineIsAllowed()
    {
        var o = new Scenario("zone-a", "zone-b")
            .Type("x86", "2", "4Gi", 0.10, t => t.Label(WellKnownLabels.Arch, "amd64").Label(WellKnownLabels.Os, "linux"))
            .Type("arm", "2", "4Gi", 0.12, t => t.Label(WellKnownLabels.Arch, "arm64").Label(WellKnownLabels.Os, "linux"))
            .Pod(new PodBuilder("arm-pod", "100m", "128Mi").NodeSelector(WellKnownLabels.Arch, "arm64").NodeSelector(WellKnownLabels.Os, "linux"))
            .Pod(new PodBuilder("zonal", "100m", "128Mi").NodeSelector(WellKnownLabels.Zone, "zone-b"))
            .Solve();

        Assert.Equal("arm", o.ClaimOf("arm-pod")?.InstanceType);
        Assert.Equal("zone-b", o.ZoneOf("zonal"));
    }

    [Fact]
    public void ACapacityTypeSelectorPicksThatCapacityType()
    {
        var o = new Scenario("zone-a")
            .Type("m", "2", "4Gi", 0.10, t => t.Offering("zone-a", CapacityTypes.OnDemand, 0.10).Offering("zone-a", CapacityTypes.Spot, 0.04))
            .Pool(new NodePoolBuilder().Requirement(WellKnownLabels.CapacityType, RequirementOperator.In, CapacityTypes.Spot, CapacityTypes.OnDemand))
            .Pod(new PodBuilder("steady", "100m", "128Mi").NodeSelector(WellKnownLabels.CapacityType, CapacityTypes.OnDemand))
            .Solve();

        Assert.Equal(CapacityTypes.OnDemand, o.ClaimOf("steady")?.CapacityType);
    }

    [Fact]
    public void TemplateLabelsSatisfyANodeSelector()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder("team-a").Label(TestLabels.Team, "a"))
            .Pod(new PodBuilder("mine", "100m", "128Mi").NodeSelector(TestLabels.Team, "a"))
            .Pod(new PodBuilder("theirs", "100m", "128Mi").NodeSelector(TestLabels.Team, "b"))
            .Solve();

        var claim = o.ClaimOf("mine");
        Assert.NotNull(claim);
        Assert.Equal("a", claim.Labels[TestLabels.Team]);
        o.AssertUnschedulable("theirs");
    }

    [Fact]
    public void ACustomNodePoolRequirementDefinesTheLabelAndItsValueIsWrittenToTheClaim()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder().Requirement(TestLabels.Team, RequirementOperator.In, "a", "b"))
            .Pod(new PodBuilder("web", "100m", "128Mi").NodeSelector(TestLabels.Team, "b"))
            .Solve();

        Assert.Equal("b", Assert.Single(o.Claims).Labels[TestLabels.Team]);
    }

    [Fact]
    public void NodePoolRequirementsRestrictTheInstanceTypes()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder().Requirement(TestLabels.Family, RequirementOperator.NotIn, "a"))
            .Pod(new PodBuilder("web", "100m", "128Mi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal("m4", claim.InstanceType);
        Assert.DoesNotContain("s2", claim.InstanceTypeOptions);
    }

    [Fact]
    public void ASelectorConflictingWithTheNodePoolIsUnschedulable()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder().Requirement(TestLabels.Family, RequirementOperator.In, "a"))
            .Pod(new PodBuilder("web", "100m", "128Mi").NodeSelector(TestLabels.Family, "c"))
            .Solve();

        Assert.Empty(o.Claims);
        o.AssertUnschedulable("web");
    }

    [Fact]
    public void RequiredTermsAreOred()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "100m", "128Mi")
                .RequiredNodeAffinity(PodBuilder.Expr(TestLabels.Family, "In", "does-not-exist"))
                .RequiredNodeAffinity(PodBuilder.Expr(TestLabels.Family, "In", "b")))
            .Solve();

        Assert.Equal("m4", Assert.Single(o.Claims).InstanceType);
    }

    [Fact]
    public void TheFirstSatisfiableRequiredTermIsUsedBeforeLaterOnes()
    {
        // Karpenter starts from the first term and only drops it when it cannot be met.
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "100m", "128Mi")
                .RequiredNodeAffinity(PodBuilder.Expr(TestLabels.Family, "In", "c"))
                .RequiredNodeAffinity(PodBuilder.Expr(TestLabels.Family, "In", "a", "b")))
            .Solve();

        Assert.Equal("l8", Assert.Single(o.Claims).InstanceType);
    }

    [Fact]
    public void WhenNoRequiredTermCanBeMetThePodIsUnschedulable()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "100m", "128Mi")
                .RequiredNodeAffinity(PodBuilder.Expr(TestLabels.Family, "In", "x"))
                .RequiredNodeAffinity(PodBuilder.Expr(TestLabels.Cores, "Gt", "64")))
            .Solve();

        Assert.Empty(o.Claims);
        o.AssertUnschedulable("web");
    }
}
