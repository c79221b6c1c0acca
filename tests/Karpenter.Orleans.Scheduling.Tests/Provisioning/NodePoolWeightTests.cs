using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>NodePools are tried by weight, highest first; a pool that cannot take the pod is skipped.</summary>
public sealed class NodePoolWeightTests
{
    [Fact]
    public void TheHighestWeightNodePoolIsUsed()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder("low").Weight(10))
            .Pool(new NodePoolBuilder("high").Weight(50))
            .Pool(new NodePoolBuilder("unset"))
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        Assert.Equal("high", Assert.Single(o.Claims).NodePool);
    }

    [Fact]
    public void AnyWeightBeatsAnUnsetWeight()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder("a-unset"))
            .Pool(new NodePoolBuilder("z-one").Weight(1))
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        Assert.Equal("z-one", Assert.Single(o.Claims).NodePool);
    }

    [Fact]
    public void WeightWinsOverPrice()
    {
        // The heavier pool only offers the dearest type; it is still preferred.
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder("cheap").Weight(10))
            .Pool(new NodePoolBuilder("big").Weight(90).Requirement(TestLabels.Family, RequirementOperator.In, "c"))
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal(("big", "l8"), (claim.NodePool, claim.InstanceType));
    }

    [Fact]
    public void EqualWeightsAreOrderedByNameDescendingAsKarpenterDoes()
    {
        // Karpenter's OrderByWeight breaks ties by name, descending.
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder("alpha").Weight(10))
            .Pool(new NodePoolBuilder("gamma").Weight(10))
            .Pool(new NodePoolBuilder("beta").Weight(10))
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        Assert.Equal("gamma", Assert.Single(o.Claims).NodePool);
    }

    [Fact]
    public void ALowerWeightPoolIsUsedWhenTheHigherOneExcludesThePodsSelector()
    {
        // 3-cpu pods on 4-cpu types never share a claim, so each pod shows the pool chosen for it.
        var o = new Scenario()
            .Type("x86", "4", "8Gi", 0.20, t => t.Label(WellKnownLabels.Arch, "amd64"))
            .Type("arm", "4", "8Gi", 0.15, t => t.Label(WellKnownLabels.Arch, "arm64"))
            .Pool(new NodePoolBuilder("graviton").Weight(80).Requirement(WellKnownLabels.Arch, RequirementOperator.In, "arm64"))
            .Pool(new NodePoolBuilder("general").Weight(20))
            .Pod(new PodBuilder("legacy", "3", "1Gi").NodeSelector(WellKnownLabels.Arch, "amd64"))
            .Pod(new PodBuilder("modern", "3", "1Gi"))
            .Solve();

        Assert.Equal(("general", "x86"), (o.ClaimOf("legacy")!.NodePool, o.ClaimOf("legacy")!.InstanceType));
        Assert.Equal(("graviton", "arm"), (o.ClaimOf("modern")!.NodePool, o.ClaimOf("modern")!.InstanceType));
    }

    [Fact]
    public void ALowerWeightPoolIsUsedWhenTheHigherOnesTypesAreTooSmall()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder("small-only").Weight(90).Requirement(TestLabels.Family, RequirementOperator.In, "a"))
            .Pool(new NodePoolBuilder("any").Weight(10))
            .Pod(new PodBuilder("big", "3", "1Gi"))
            .Solve();

        Assert.Equal(("any", "m4"), (o.ClaimOf("big")!.NodePool, o.ClaimOf("big")!.InstanceType));
    }

    [Fact]
    public void APodThatFitsTheHigherWeightPoolUsesItEvenAfterAnotherPodFellThrough()
    {
        // The pods cannot share a node, so "little" opens its own claim from the heavier pool.
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder("small-only").Weight(90).Requirement(TestLabels.Family, RequirementOperator.In, "a"))
            .Pool(new NodePoolBuilder("any").Weight(10))
            .Pod(new PodBuilder("big", "7500m", "1Gi"))
            .Pod(new PodBuilder("little", "1", "1Gi"))
            .Solve();

        Assert.Equal("any", o.ClaimOf("big")!.NodePool);
        Assert.Equal("small-only", o.ClaimOf("little")!.NodePool);
    }
}
