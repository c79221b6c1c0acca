using Karpenter.Orleans.Agent.Tests.TestSupport;

namespace Karpenter.Orleans.Agent.Tests;

/// <summary>The service unreachable for a while: the agent keeps watching and, when it answers again, its view equals the cluster.</summary>
public sealed class AgentDisconnectTests
{
    [Fact]
    public async Task After_an_outage_the_services_view_equals_the_cluster_and_no_NodeClaim_is_launched_for_a_pod_deleted_meanwhile()
    {
        // Provisioning as configured by default (1 s idle batches): the service launches for whatever it believes is pending.
        await using var rig = await AgentRig.StartAsync();
        await rig.CreateNodePoolAsync("general");
        await rig.StartAgentAsync();
        // A host port each: one pod per node, so one NodeClaim per pod the service ever provisioned for.
        foreach (var name in (string[])["kept-0", "kept-1", "doomed-0", "doomed-1"])
        {
            await rig.CreatePodAsync(name, hostPort: 8080);
        }

        await rig.EventuallyAsync("the first pods nominated", async () => (await rig.PendingAsync()) is { Length: 4 } pending && pending.All(p => p.NodeClaim is not null));
        var before = (await rig.NodeClaimsAsync()).Length;

        rig.Switch.Off();
        await rig.DeletePodAsync("doomed-0");
        await rig.DeletePodAsync("doomed-1");
        await rig.CreatePodAsync("late-0", hostPort: 8080);
        await rig.CreatePodAsync("late-1", hostPort: 8080);
        // Created and deleted while the service could not hear of it.
        await rig.CreatePodAsync("ghost-0", hostPort: 8080);
        await rig.CreatePodAsync("ghost-1", hostPort: 8080);
        await rig.DeletePodAsync("ghost-0");
        await rig.DeletePodAsync("ghost-1");
        await rig.EventuallyAsync("the agent to find the service unreachable", () => Task.FromResult(rig.Logs.Lines.Any(l => l.Contains("a snapshot follows when the service answers", StringComparison.Ordinal))));
        await rig.EventuallyAsync("the agent to hold the cluster's pods", () => Task.FromResult(
            rig.Worker.Mirror is { } mirror && mirror.Get(new(Abstractions.ObjectKind.Pod, "default", "late-1")) is not null && mirror.Get(new(Abstractions.ObjectKind.Pod, "default", "ghost-1")) is null));
        rig.Switch.On();

        await rig.EventuallyAsync("the pending list equal to the cluster's unbound pods", async () =>
        {
            var cluster = await rig.UnboundPodNamesAsync();
            return (await rig.PendingNamesAsync()).SequenceEqual(cluster);
        });
        Assert.Equal(["default/kept-0", "default/kept-1", "default/late-0", "default/late-1"], await rig.PendingNamesAsync());
        Assert.Equal(4, (await rig.StatusAsync()).Pods);
        await rig.EventuallyAsync("the late pods nominated", async () => (await rig.PendingAsync()).All(p => p.NodeClaim is not null));
        // One claim per pending pod (a host port each), none for a pod that is gone: the late pods got a node each,
        // new or one the doomed pods no longer need; the ghosts, never seen by the service, none.
        var pending = await rig.PendingAsync();
        Assert.Equal(4, pending.Select(p => p.NodeClaim).Distinct().Count());
        Assert.InRange((await rig.NodeClaimsAsync()).Length, before, before + 2);
        Assert.Contains(rig.Logs.Lines, l => l.Contains("after the service was unreachable", StringComparison.Ordinal));
        Assert.DoesNotContain(rig.Logs.Lines, l => l.Contains(rig.Token, StringComparison.Ordinal));
    }
}
