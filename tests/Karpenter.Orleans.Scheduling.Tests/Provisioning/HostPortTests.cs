using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>A host port and protocol can be used by only one pod per node.</summary>
public sealed class HostPortTests
{
    [Fact]
    public void TwoPodsWithTheSameHostPortNeverShareANode()
    {
        var o = TestCatalogs.ThreeSizes()
            .Replicas(3, "proxy", p => p.HostPort(8080))
            .Solve();

        o.AssertPlaced("proxy-0", "proxy-1", "proxy-2");
        Assert.Equal(3, o.Claims.Count);
        Assert.All(o.Claims, c => Assert.Single(c.Pods));
    }

    [Fact]
    public void DifferentHostPortsMayShareANode()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("a", "100m", "128Mi").HostPort(8080))
            .Pod(new PodBuilder("b", "100m", "128Mi").HostPort(9090))
            .Solve();

        Assert.Single(o.Claims);
    }

    [Fact]
    public void AHostPortInUseOnAnExistingNodeKeepsTheNewPodOff()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1").Allocatable("8", "16Gi"))
            .Pod(new PodBuilder("old-proxy", "100m", "128Mi").HostPort(8080).BoundTo("node-1"))
            .Pod(new PodBuilder("proxy", "100m", "128Mi").HostPort(8080))
            .Pod(new PodBuilder("web", "100m", "128Mi"))
            .Solve();

        Assert.Null(o.ExistingNodeOf("proxy"));
        Assert.NotNull(o.ClaimOf("proxy"));
        Assert.Equal("node-1", o.ExistingNodeOf("web"));
    }

    [Fact]
    public void HostPortPodsAndOrdinaryPodsStillPackTogether()
    {
        var o = TestCatalogs.ThreeSizes()
            .Replicas(2, "proxy", p => p.HostPort(443))
            .Replicas(4, "web")
            .Solve();

        Assert.Empty(o.Result.Unschedulable);
        Assert.All(o.Claims, c => Assert.True(c.Pods.Count(p => p.StartsWith("default/proxy", StringComparison.Ordinal)) <= 1));
    }
}
