using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Resources;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>
/// A NodePool's per-type allocatable (its node class's kubelet settings, computed by the provider) is what the
/// solver packs new nodes of that NodePool to, in place of the catalog's.
/// </summary>
public sealed class NodePoolAllocatableTests
{
    private const long Mi = 1024L * 1024;

    private static SchedulingInput Input(IReadOnlyDictionary<string, ResourceVector>? allocatable)
    {
        // s2 holds 29 pods by the catalog; 40 small pods need two of them.
        var input = new Scenario()
            .Type("s2", "2", "8Gi", 0.10, t => TestCatalogs.Common(t, "a", "2").Pods(29))
            .Replicas(40, "web", cpu: "10m", memory: "16Mi")
            .Input();
        return input with { NodePools = [input.NodePools[0] with { AllocatableByType = allocatable }] };
    }

    [Fact]
    public void More_pods_per_node_from_the_node_class_pack_them_onto_fewer_nodes()
    {
        var catalog = ProvisioningSolver.Solve(Input(null));
        var kubelet = ProvisioningSolver.Solve(Input(new Dictionary<string, ResourceVector> { ["s2"] = new(1930, 6000 * Mi, 110, 17L * 1024 * Mi * 1024) }));

        Assert.Equal(2, catalog.NodeClaims.Count);
        Assert.Equal(40, Assert.Single(kubelet.NodeClaims).Pods.Count);
    }

    [Fact]
    public void Less_memory_left_by_larger_reserves_needs_more_nodes()
    {
        var reserved = ProvisioningSolver.Solve(Input(new Dictionary<string, ResourceVector> { ["s2"] = new(1930, 200 * Mi, 110, 17L * 1024 * Mi * 1024) }));

        // 200 MiB hold 12 pods of 16 MiB: 40 pods need four nodes.
        Assert.Equal(4, reserved.NodeClaims.Count);
        Assert.All(reserved.NodeClaims, c => Assert.InRange(c.Pods.Count, 1, 12));
    }

    [Fact]
    public void A_claim_in_flight_holds_what_its_NodePool_gives_its_type()
    {
        var input = new Scenario()
            .Type("s2", "2", "8Gi", 0.10, t => TestCatalogs.Common(t, "a", "2").Pods(29))
            .NodeClaim(new InFlightNodeClaim { Name = "default-x7k2p", NodePool = "default", InstanceType = "s2", Zone = "zone-a", CapacityType = Karpenter.Orleans.Scheduling.Model.CapacityTypes.OnDemand })
            .Replicas(40, "web", cpu: "10m", memory: "16Mi")
            .Input();
        var byType = new Dictionary<string, ResourceVector> { ["s2"] = new(1930, 6000 * Mi, 110, 17L * 1024 * Mi * 1024) };

        var result = ProvisioningSolver.Solve(input with { NodePools = [input.NodePools[0] with { AllocatableByType = byType }] });

        // All 40 go to the claim on its way, which holds 110 pods under the NodePool's kubelet settings.
        Assert.Empty(result.NodeClaims);
        Assert.Equal(40, Assert.Single(result.NodeClaimPlacements).Pods.Count);
    }
}
