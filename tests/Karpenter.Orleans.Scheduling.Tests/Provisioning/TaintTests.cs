using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>NodePool taints must be tolerated; startup taints need not be.</summary>
public sealed class TaintTests
{
    private static Scenario TwoPools() =>
        TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder("gpu").Weight(100).Taint("dedicated", "gpu"))
            .Pool(new NodePoolBuilder("general").Weight(1));

    [Fact]
    public void AnUntoleratedTaintKeepsThePodOffThatNodePool()
    {
        var o = TwoPools().Pod(new PodBuilder("web", "100m", "128Mi")).Solve();

        Assert.Equal("general", Assert.Single(o.Claims).NodePool);
    }

    [Fact]
    public void AnEqualTolerationAllowsTheTaintedNodePool()
    {
        var o = TwoPools().Pod(new PodBuilder("trainer", "100m", "128Mi").Tolerate("dedicated", "gpu")).Solve();

        Assert.Equal("gpu", Assert.Single(o.Claims).NodePool);
    }

    [Fact]
    public void AnExistsTolerationAllowsTheTaintedNodePool()
    {
        var o = TwoPools().Pod(new PodBuilder("trainer", "100m", "128Mi").TolerateExists("dedicated", "NoSchedule")).Solve();

        Assert.Equal("gpu", Assert.Single(o.Claims).NodePool);
    }

    [Fact]
    public void ATolerationWithoutEffectToleratesEveryEffectOfThatKey()
    {
        var o = TwoPools().Pod(new PodBuilder("trainer", "100m", "128Mi").Tolerate("dedicated", "gpu", effect: null)).Solve();

        Assert.Equal("gpu", Assert.Single(o.Claims).NodePool);
    }

    [Fact]
    public void ATolerationForAnotherValueDoesNotTolerate()
    {
        var o = TwoPools().Pod(new PodBuilder("web", "100m", "128Mi").Tolerate("dedicated", "db")).Solve();

        Assert.Equal("general", Assert.Single(o.Claims).NodePool);
    }

    [Fact]
    public void NoExecuteTaintsMustBeToleratedToo()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder("batch").Taint("spot-only", "true", "NoExecute"))
            .Pod(new PodBuilder("web", "100m", "128Mi"))
            .Solve();

        Assert.Empty(o.Claims);
        o.AssertUnschedulable("web", "taint", "tolerat");
    }

    [Fact]
    public void StartupTaintsNeedNoToleration()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder("cni").StartupTaint("node.cilium.io/agent-not-ready", "true", "NoExecute"))
            .Pod(new PodBuilder("web", "100m", "128Mi"))
            .Solve();

        Assert.Equal("cni", Assert.Single(o.Claims).NodePool);
    }

    [Fact]
    public void PreferNoScheduleTaintsDoNotBlockScheduling()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder("soft").Taint("prefer-not", "true", "PreferNoSchedule"))
            .Pod(new PodBuilder("web", "100m", "128Mi"))
            .Solve();

        Assert.Equal("soft", Assert.Single(o.Claims).NodePool);
    }

    [Fact]
    public void ClaimTaintsIncludeTheNodePoolTaints()
    {
        var o = TwoPools().Pod(new PodBuilder("trainer", "100m", "128Mi").Tolerate("dedicated", "gpu")).Solve();

        var taint = Assert.Single(Assert.Single(o.Claims).Taints, t => t.Key == "dedicated");
        Assert.Equal(("gpu", "NoSchedule"), (taint.Value, taint.Effect));
    }

    [Fact]
    public void WhenEveryNodePoolIsTaintedTheReasonMentionsTheTaint()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder("gpu").Taint("dedicated", "gpu"))
            .Pod(new PodBuilder("web", "100m", "128Mi"))
            .Solve();

        Assert.Empty(o.Claims);
        o.AssertUnschedulable("web", "taint", "tolerat");
    }
}
