using Karpenter.Orleans.Scheduling.Resources;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>Pod requests = max(sum of containers, largest init container) + overhead, plus one pod.</summary>
public sealed class PodRequestTests
{
    private const long Mi = 1024L * 1024;
    private const long Gi = 1024 * Mi;

    [Fact]
    public void ContainersAreSummed()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "1", "1Gi").Container("1500m", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal(new ResourceVector(2500, 2 * Gi, 1), claim.Requests);
        Assert.Equal("m4", claim.InstanceType);
    }

    [Fact]
    public void TheLargestInitContainerWinsWhenItExceedsTheContainers()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "500m", "256Mi").InitContainer("3", "512Mi").InitContainer("1", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal(new ResourceVector(3000, 1 * Gi, 1), claim.Requests);
        Assert.Equal("m4", claim.InstanceType);
    }

    [Fact]
    public void InitContainersSmallerThanTheContainerSumDoNotAdd()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "1", "1Gi").Container("800m", "1Gi").InitContainer("1", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal(new ResourceVector(1800, 2 * Gi, 1), claim.Requests);
        Assert.Equal("s2", claim.InstanceType);
    }

    [Fact]
    public void PodOverheadIsAddedOnTopOfTheLargerOfContainersAndInitContainers()
    {
        // max(1+1 cpu, 1500m init) + 250m overhead = 2250m: more than s2 holds.
        var o = TestCatalogs.ThreeSizes()
            .Pod(new PodBuilder("web", "1", "1Gi").Container("1", "1Gi").InitContainer("1500m", "3Gi").Overhead("250m", "128Mi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Equal(new ResourceVector(2250, (3 * Gi) + (128 * Mi), 1), claim.Requests);
        Assert.Equal("m4", claim.InstanceType);
    }

    [Fact]
    public void EachPodCountsOneAgainstThePodsResource()
    {
        var o = new Scenario()
            .Type("few", "8", "16Gi", 0.10, t => t.Pods(2))
            .Type("many", "8", "16Gi", 0.20, t => t.Pods(10))
            .Replicas(3, "web", cpu: "100m", memory: "64Mi")
            .Solve();

        Assert.Empty(o.Result.Unschedulable);
        Assert.All(o.Claims, c => Assert.True(c.Requests.Pods == c.Pods.Count, $"{c.Name} requests {c.Requests.Pods} pods for {c.Pods.Count}"));
        Assert.All(o.Claims.Where(c => c.InstanceType == "few"), c => Assert.True(c.Pods.Count <= 2));
    }

    [Fact]
    public void APodLargerThanEveryTypeIsUnschedulableWithAResourceReason()
    {
        var o = TestCatalogs.ThreeSizes().Pod(new PodBuilder("huge", "12", "1Gi")).Pod(new PodBuilder("ok", "1", "1Gi")).Solve();

        o.AssertUnschedulable("huge", "resource", "cpu");
        o.AssertPlaced("ok");
    }

    [Fact]
    public void AnInitContainerLargerThanEveryTypeMakesThePodUnschedulable()
    {
        var o = TestCatalogs.ThreeSizes().Pod(new PodBuilder("init-heavy", "1", "1Gi").InitContainer("1", "64Gi")).Solve();

        o.AssertUnschedulable("init-heavy", "resource", "memory");
        Assert.Empty(o.Claims);
    }
}
