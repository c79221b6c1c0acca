using Karpenter.Orleans.Scheduling.Resources;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>DaemonSet pods that would run on a new node count once per node.</summary>
public sealed class DaemonSetTests
{
    private const long Mi = 1024L * 1024;

    [Fact]
    public void WithoutDaemonSetsTheSmallTypeFits()
    {
        var o = TestCatalogs.ThreeSizes().Pod(new PodBuilder("web", "1500m", "1Gi")).Solve();

        Assert.Equal("s2", Assert.Single(o.Claims).InstanceType);
    }

    [Fact]
    public void DaemonSetOverheadPushesThePodOntoALargerType()
    {
        var o = TestCatalogs.ThreeSizes()
            .DaemonSet(new DaemonSetBuilder("logging", "1", "256Mi"))
            .Pod(new PodBuilder("web", "1500m", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal("m4", claim.InstanceType);
        Assert.DoesNotContain("s2", claim.InstanceTypeOptions);
        Assert.Equal(new ResourceVector(2500, 1280 * Mi, 2), claim.Requests);
    }

    [Fact]
    public void DaemonSetOverheadIsCountedOncePerNode()
    {
        // 1.5 + 1.5 + 1 (one daemon) = 4 cpu: both pods fit one m4 only if the daemon counts once.
        var o = TestCatalogs.ThreeSizes()
            .DaemonSet(new DaemonSetBuilder("logging", "1", "256Mi"))
            .Replicas(2, "web", cpu: "1500m", memory: "1Gi")
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal("m4", claim.InstanceType);
        Assert.Equal(new ResourceVector(4000, 2304 * Mi, 3), claim.Requests);
    }

    [Fact]
    public void SeveralDaemonSetsAddUp()
    {
        var o = TestCatalogs.ThreeSizes()
            .DaemonSet(new DaemonSetBuilder("logging", "500m", "128Mi"))
            .DaemonSet(new DaemonSetBuilder("metrics", "500m", "128Mi"))
            .Pod(new PodBuilder("web", "1500m", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal("m4", claim.InstanceType);
        Assert.Equal(new ResourceVector(2500, 1280 * Mi, 3), claim.Requests);
    }

    [Fact]
    public void ADaemonSetWhoseNodeSelectorDoesNotMatchTheNodePoolAddsNothing()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder().Label(TestLabels.Team, "a"))
            .DaemonSet(new DaemonSetBuilder("team-b-agent", "1", "256Mi").NodeSelector(TestLabels.Team, "b"))
            .Pod(new PodBuilder("web", "1500m", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal("s2", claim.InstanceType);
        Assert.Equal(new ResourceVector(1500, 1024 * Mi, 1), claim.Requests);
    }

    [Fact]
    public void ADaemonSetSelectingTheNodePoolsLabelAddsOverhead()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder().Label(TestLabels.Team, "a"))
            .DaemonSet(new DaemonSetBuilder("team-a-agent", "1", "256Mi").NodeSelector(TestLabels.Team, "a"))
            .Pod(new PodBuilder("web", "1500m", "1Gi"))
            .Solve();

        Assert.Equal("m4", Assert.Single(o.Claims).InstanceType);
    }

    [Fact]
    public void ADaemonSetThatDoesNotTolerateTheNodePoolTaintAddsNothing()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder().Taint("dedicated", "web"))
            .DaemonSet(new DaemonSetBuilder("logging", "1", "256Mi"))
            .Pod(new PodBuilder("web", "1500m", "1Gi").Tolerate("dedicated", "web"))
            .Solve();

        Assert.Equal("s2", Assert.Single(o.Claims).InstanceType);
    }

    [Fact]
    public void ADaemonSetThatToleratesTheTaintAddsOverhead()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder().Taint("dedicated", "web"))
            .DaemonSet(new DaemonSetBuilder("logging", "1", "256Mi").TolerateAll())
            .Pod(new PodBuilder("web", "1500m", "1Gi").Tolerate("dedicated", "web"))
            .Solve();

        Assert.Equal("m4", Assert.Single(o.Claims).InstanceType);
    }

    [Fact]
    public void ADaemonSetSelectingOnlySomeTypesChargesOnlyThoseTypes()
    {
        // The agent runs only on family a (s2): with it s2 is too small, so the cheapest fit is m4 without overhead.
        var o = TestCatalogs.ThreeSizes()
            .DaemonSet(new DaemonSetBuilder("a-agent", "1", "256Mi").NodeSelector(TestLabels.Family, "a"))
            .Pod(new PodBuilder("web", "1500m", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal("m4", claim.InstanceType);
        Assert.DoesNotContain("s2", claim.InstanceTypeOptions);
    }
}
