using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Karpenter.Orleans.Simulation;

namespace Karpenter.Orleans.Service.Tests.Termination;

/// <summary>
/// The whole drain between the service and a simulated cluster: the cluster evicts through a PodDisruptionBudget,
/// the evicted pods come back pending, the service places them on new capacity, and only then does the node go.
/// </summary>
public sealed class SimulatedDrainTests
{
    [Fact]
    public async Task A_deleted_node_drains_one_pod_at_a_time_under_its_PDB_and_every_pod_ends_up_running_elsewhere()
    {
        await using var service = await ServiceCluster.StartAsync();
        const string id = "sim-drain";
        var registration = TestObjects.Registration(id);
        await service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(registration, TestObjects.Sha256("agent-" + id));
        var grain = service.Grains.GetGrain<IClusterGrain>(id);
        var cluster = new SimulatedCluster(registration, grain, service.Cloud, service.Clock);
        cluster.RemoveAllWorkloads();
        var spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "app", Image = "pause", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("1Gi") } } }],
            NodeSelector = new Dictionary<string, string> { ["kubernetes.io/arch"] = "amd64" },
        };
        cluster.AddWorkload(new SimulatedWorkload("shop", spec, BaseReplicas: 4));
        cluster.AddPodDisruptionBudget(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "shop", NamespaceProperty = "default" },
            Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "shop" } } },
        });

        await StepAsync(service, cluster, grain);
        await StepAsync(service, cluster, grain);
        Assert.Equal(4, cluster.BoundPods);
        var first = (await grain.GetNodeClaimsAsync()).Where(c => c.Phase == NodeClaimPhase.Initialized).ToList();
        var doomed = first[0];
        var doomedPods = cluster.Pods().Count(p => p.Spec.NodeName == doomed.NodeName);
        Assert.True(doomedPods > 0);

        await grain.DeleteNodeClaimAsync(doomed.Name, "test");
        var minRunning = int.MaxValue;
        for (var i = 0; i < 40 && (await grain.GetNodeClaimsAsync()).Single(c => c.Name == doomed.Name).Phase != NodeClaimPhase.Terminated; i++)
        {
            await StepAsync(service, cluster, grain);
            minRunning = Math.Min(minRunning, cluster.Pods().Count(p => p.Status?.Phase == "Running"));
            if (cluster.Pods().Any(p => p.Spec.NodeName == doomed.NodeName))
            {
                // A pod still on the node keeps its instance.
                Assert.Equal(CloudInstanceState.Running, (await service.Cloud.GetAsync("us-east-1", doomed.InstanceId!))!.State);
            }
        }

        Assert.Equal(NodeClaimPhase.Terminated, (await grain.GetNodeClaimsAsync()).Single(c => c.Name == doomed.Name).Phase);
        // maxUnavailable 1 of 4: never fewer than three running, and the budget refused evictions on the way.
        Assert.True(minRunning >= 3, $"only {minRunning} shop pods were running at one point");
        Assert.True(doomedPods == 1 || cluster.EvictionsRefused > 0, "more than one pod was evicted at once without a refusal");
        Assert.Equal(doomedPods, cluster.PodsEvicted);

        await StepAsync(service, cluster, grain);
        await StepAsync(service, cluster, grain);
        Assert.Equal((4, 0), (cluster.BoundPods, cluster.PendingPods));
        Assert.DoesNotContain(cluster.Pods(), p => p.Spec.NodeName == doomed.NodeName);
        Assert.NotEqual(CloudInstanceState.Running, (await service.Cloud.GetAsync("us-east-1", doomed.InstanceId!))!.State);
        Assert.Empty(await grain.GetCommandsAsync());
    }

    /// <summary>One round: the cluster ticks (commands, workloads, binding, deltas, acks), the service provisions and reconciles, a second passes.</summary>
    private static async Task StepAsync(ServiceCluster service, SimulatedCluster cluster, IClusterGrain grain)
    {
        await cluster.TickAsync();
        await grain.ProvisionAsync();
        await grain.ReconcileAsync();
        service.Clock.Advance(TimeSpan.FromSeconds(1));
        await cluster.TickAsync();
    }
}
