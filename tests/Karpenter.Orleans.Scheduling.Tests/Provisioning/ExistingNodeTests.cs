using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>Existing nodes take pods first when they have room; bound pods use up that room.</summary>
public sealed class ExistingNodeTests
{
    [Fact]
    public void APodThatFitsAnExistingNodeGoesThereAndNoClaimIsMade()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1").Allocatable("4", "8Gi"))
            .Pod(new PodBuilder("running", "1", "1Gi").BoundTo("node-1"))
            .Pod(new PodBuilder("web", "2", "2Gi"))
            .Solve();

        Assert.Empty(o.Claims);
        var placement = Assert.Single(o.Result.ExistingNodes);
        Assert.Equal("node-1", placement.Name);
        Assert.Equal(["default/web"], placement.Pods);
    }

    [Fact]
    public void BoundPodsAreNeverListedAsNewPlacements()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1").Allocatable("4", "8Gi"))
            .Pod(new PodBuilder("running", "1", "1Gi").BoundTo("node-1"))
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        Assert.DoesNotContain(o.Result.ExistingNodes.SelectMany(n => n.Pods), p => p == "default/running");
        Assert.DoesNotContain(o.Result.Unschedulable, u => u.Pod == "default/running");
        Assert.Equal(1, o.Result.Summary.Pods);
    }

    [Fact]
    public void BoundPodsCountAgainstTheNodesAllocatable()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1").Allocatable("4", "8Gi"))
            .Pod(new PodBuilder("running", "3", "1Gi").BoundTo("node-1"))
            .Pod(new PodBuilder("web", "2", "2Gi"))
            .Solve();

        Assert.Empty(o.Result.ExistingNodes.SelectMany(n => n.Pods));
        var claim = Assert.Single(o.Claims);
        Assert.Equal(["default/web"], claim.Pods);
    }

    [Fact]
    public void BoundPodsCountAgainstTheNodesPodCapacity()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1").Allocatable("8", "16Gi", pods: 2))
            .Pod(new PodBuilder("running-0", "100m", "64Mi").BoundTo("node-1"))
            .Pod(new PodBuilder("running-1", "100m", "64Mi").BoundTo("node-1"))
            .Pod(new PodBuilder("web", "100m", "64Mi"))
            .Solve();

        Assert.Null(o.ExistingNodeOf("web"));
        Assert.NotNull(o.ClaimOf("web"));
    }

    [Fact]
    public void OnlyWhatFitsInTheRemainingRoomGoesToTheNode()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1").Allocatable("4", "8Gi"))
            .Pod(new PodBuilder("running", "2", "1Gi").BoundTo("node-1"))
            .Replicas(2, "web", cpu: "1500m", memory: "1Gi")
            .Solve();

        var onNode = o.Result.ExistingNodes.SelectMany(n => n.Pods).ToList();
        Assert.Single(onNode);
        var claim = Assert.Single(o.Claims);
        Assert.Single(claim.Pods);
        Assert.DoesNotContain(claim.Pods[0], onNode);
    }

    [Fact]
    public void AnUntoleratedNodeTaintKeepsPodsOff()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1").Allocatable("4", "8Gi").Taint("dedicated", "db"))
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Pod(new PodBuilder("db", "1", "1Gi").Tolerate("dedicated", "db"))
            .Solve();

        Assert.Null(o.ExistingNodeOf("web"));
        Assert.NotNull(o.ClaimOf("web"));
        Assert.Equal("node-1", o.ExistingNodeOf("db"));
    }

    [Fact]
    public void ANodeWhoseLabelsDoNotMatchTheNodeSelectorIsSkipped()
    {
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Node(new NodeBuilder("node-1", "zone-a").Allocatable("4", "8Gi"))
            .Pod(new PodBuilder("web", "1", "1Gi").NodeSelector(WellKnownLabels.Zone, "zone-b"))
            .Solve();

        Assert.Null(o.ExistingNodeOf("web"));
        Assert.Equal("zone-b", o.ClaimOf("web")?.Zone);
    }

    [Fact]
    public void SeveralExistingNodesAreFilledBeforeAnyClaim()
    {
        var o = TestCatalogs.ThreeSizes()
            .Node(new NodeBuilder("node-1").Allocatable("2", "4Gi"))
            .Node(new NodeBuilder("node-2").Allocatable("2", "4Gi"))
            .Replicas(4, "web", cpu: "900m", memory: "1Gi")
            .Solve();

        Assert.Empty(o.Claims);
        Assert.Equal(4, o.Result.ExistingNodes.Sum(n => n.Pods.Count));
        Assert.All(o.Result.ExistingNodes, n => Assert.True(n.Pods.Count <= 2));
    }
}
