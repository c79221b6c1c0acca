using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>NodePool limits count the capacity of existing nodes plus the claims this run plans.</summary>
public sealed class LimitTests
{
    private static Scenario FourCoreCatalog() => new Scenario().Type("c4", "4", "8Gi", 0.20);

    [Fact]
    public void ACpuLimitCapsNewCapacityAndTheRestAreUnschedulableMentioningTheLimit()
    {
        var o = FourCoreCatalog()
            .Pool(new NodePoolBuilder("default").Limit("cpu", "8"))
            .Replicas(3, "web", cpu: "3", memory: "1Gi")
            .Solve();

        Assert.Equal(2, o.Claims.Count);
        var unschedulable = Assert.Single(o.Result.Unschedulable);
        o.AssertUnschedulable(unschedulable.Pod, "limit");
    }

    [Fact]
    public void ACpuLimitCountsExistingNodesOfTheNodePool()
    {
        var o = FourCoreCatalog()
            .Pool(new NodePoolBuilder("default").Limit("cpu", "12"))
            .Node(new NodeBuilder("node-1").NodePool("default").Allocatable("4", "8Gi"))
            .Pod(new PodBuilder("filler", "4", "1Gi").BoundTo("node-1"))
            .Replicas(5, "web", cpu: "3", memory: "1Gi")
            .Solve();

        Assert.Equal(2, o.Claims.Count);
        Assert.Equal(3, o.Result.Unschedulable.Count);
        Assert.All(o.Result.Unschedulable, u => o.AssertUnschedulable(u.Pod, "limit"));
    }

    [Fact]
    public void ExistingNodesOfAnotherNodePoolDoNotCountAgainstTheLimit()
    {
        var o = FourCoreCatalog()
            .Pool(new NodePoolBuilder("default").Limit("cpu", "8"))
            .Node(new NodeBuilder("node-1").NodePool("other").Allocatable("4", "8Gi"))
            .Pod(new PodBuilder("filler", "4", "1Gi").BoundTo("node-1"))
            .Replicas(2, "web", cpu: "3", memory: "1Gi")
            .Solve();

        Assert.Equal(2, o.Claims.Count);
        Assert.Empty(o.Result.Unschedulable);
    }

    [Fact]
    public void LimitsCountWholeCapacityNotAllocatable()
    {
        // 2 x 3.5 cpu allocatable would fit under 7, but each node has 4 cpu of capacity.
        var o = new Scenario()
            .Type("c4", "3500m", "8Gi", 0.20, t => t.Capacity("4", "8Gi"))
            .Pool(new NodePoolBuilder("default").Limit("cpu", "7"))
            .Replicas(2, "web", cpu: "3", memory: "1Gi")
            .Solve();

        Assert.Single(o.Claims);
        o.AssertUnschedulable(Assert.Single(o.Result.Unschedulable).Pod, "limit");
    }

    [Fact]
    public void AMemoryLimitIsEnforced()
    {
        var o = FourCoreCatalog()
            .Pool(new NodePoolBuilder("default").Limit("memory", "16Gi"))
            .Replicas(3, "web", cpu: "3", memory: "1Gi")
            .Solve();

        Assert.Equal(2, o.Claims.Count);
        o.AssertUnschedulable(Assert.Single(o.Result.Unschedulable).Pod, "limit");
    }

    [Fact]
    public void ANodesLimitCountsExistingNodesAndPlannedClaims()
    {
        var o = FourCoreCatalog()
            .Pool(new NodePoolBuilder("default").Limit("nodes", "3"))
            .Node(new NodeBuilder("node-1").NodePool("default").Allocatable("4", "8Gi"))
            .Pod(new PodBuilder("filler", "4", "1Gi").BoundTo("node-1"))
            .Replicas(5, "web", cpu: "3", memory: "1Gi")
            .Solve();

        Assert.Equal(2, o.Claims.Count);
        Assert.Equal(3, o.Result.Unschedulable.Count);
        Assert.All(o.Result.Unschedulable, u => o.AssertUnschedulable(u.Pod, "limit"));
    }

    [Fact]
    public void AnExhaustedNodePoolFallsThroughToTheNextWeight()
    {
        var o = FourCoreCatalog()
            .Pool(new NodePoolBuilder("reserved").Weight(90).Limit("cpu", "4"))
            .Pool(new NodePoolBuilder("overflow").Weight(10))
            .Replicas(3, "web", cpu: "3", memory: "1Gi")
            .Solve();

        Assert.Empty(o.Result.Unschedulable);
        Assert.Equal(1, o.Claims.Count(c => c.NodePool == "reserved"));
        Assert.Equal(2, o.Claims.Count(c => c.NodePool == "overflow"));
    }

    [Fact]
    public void LimitsAreNeverExceeded()
    {
        var o = new Scenario("zone-a", "zone-b")
            .Type("c2", "2", "4Gi", 0.10)
            .Type("c4", "4", "8Gi", 0.20)
            .Type("c8", "8", "16Gi", 0.40)
            .Pool(new NodePoolBuilder("default").Limit("cpu", "10").Limit("nodes", "4"))
            .Replicas(12, "web", cpu: "1500m", memory: "1Gi")
            .Solve();

        Assert.NotEmpty(o.Claims);
        Assert.NotEmpty(o.Result.Unschedulable);
        PlanChecker.AssertValid(o.Input, o.Result, null, ViolationKind.Limits, ViolationKind.Accounting, ViolationKind.Fit);
    }
}
