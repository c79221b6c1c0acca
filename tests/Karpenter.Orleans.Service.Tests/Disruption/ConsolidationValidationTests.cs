using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Service.Tests.Termination;
using Karpenter.Orleans.Service.Tests.TestSupport;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Disruption;

/// <summary>
/// Karpenter's validation period on the fake clock: a consolidation command chosen at one reconcile starts
/// only once the period is over and only if it still holds then.
/// </summary>
public sealed class ConsolidationValidationTests
{
    /// <summary>A node whose one pod was removed: empty, and consolidateAfter (30 s) elapsed at the returned time.</summary>
    private static async Task<(TestAgent Agent, NodeClaimInfo Claim)> EmptyNodeAsync(ServiceCluster service, string id)
    {
        var pod = Pod("temp-0");
        var (agent, claim, _) = await TestAgent.NodeWithPodsAsync(service.Grains, id, [pod]);
        await agent.DeletePodAsync(pod);
        await agent.Cluster.ReconcileAsync();
        service.Clock.Advance(TimeSpan.FromSeconds(31));
        return (agent, claim);
    }

    [Fact]
    public async Task An_empty_node_is_deleted_only_once_the_validation_period_after_it_was_chosen_is_over()
    {
        await using var service = await ServiceCluster.StartAsync();
        var (agent, claim) = await EmptyNodeAsync(service, "validate-wait");

        await agent.Cluster.ReconcileAsync();
        service.Clock.Advance(TimeSpan.FromSeconds(14));
        await agent.Cluster.ReconcileAsync();
        Assert.Equal(NodeClaimPhase.Initialized, await agent.PhaseAsync(claim.Name));
        Assert.Empty(await agent.CommandsAsync());

        service.Clock.Advance(TimeSpan.FromSeconds(1));
        await agent.Cluster.ReconcileAsync();

        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
    }

    [Fact]
    public async Task A_pod_bound_to_the_chosen_node_during_the_validation_period_drops_the_command()
    {
        await using var service = await ServiceCluster.StartAsync();
        var (agent, claim) = await EmptyNodeAsync(service, "validate-drop");
        await agent.Cluster.ReconcileAsync();

        // kube-scheduler binds a new pod to the node meanwhile.
        var late = Pod("late-0");
        TestAgent.Bind(late, NodeFor(claim));
        await agent.SendAsync(late);
        service.Clock.Advance(TimeSpan.FromSeconds(15));
        await agent.Cluster.ReconcileAsync();

        Assert.Equal(NodeClaimPhase.Initialized, await agent.PhaseAsync(claim.Name));
        Assert.Empty(await agent.CommandsAsync());
        Assert.Empty(await agent.Cluster.GetDisruptionsAsync());
    }

    [Fact]
    public async Task A_validation_period_of_zero_starts_the_command_at_the_reconcile_that_chose_it()
    {
        await using var service = await ServiceCluster.StartAsync(configure: s => s["Karpo:Provisioning:ConsolidationValidationPeriod"] = "00:00:00");
        var (agent, claim) = await EmptyNodeAsync(service, "validate-zero");

        await agent.Cluster.ReconcileAsync();

        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
    }
}
