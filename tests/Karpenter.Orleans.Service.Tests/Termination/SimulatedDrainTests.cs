using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Karpenter.Orleans.Simulation;

namespace Karpenter.Orleans.Service.Tests.Termination;

/// <summary>
/// The whole drain between the service and a simulated cluster: the cluster evicts through a PodDisruptionBudget,
/// the evicted pods come back pending, the service places them on new capacity, and only then does the node go;
/// DaemonSet pods go after the workload pods and do not come back.
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
        // The service spends the budget itself (an eviction under way counts against it), so the cluster never has to refuse.
        Assert.Equal(0, cluster.EvictionsRefused);
        Assert.Equal(doomedPods, cluster.PodsEvicted);

        await StepAsync(service, cluster, grain);
        await StepAsync(service, cluster, grain);
        Assert.Equal((4, 0), (cluster.BoundPods, cluster.PendingPods));
        Assert.DoesNotContain(cluster.Pods(), p => p.Spec.NodeName == doomed.NodeName);
        Assert.NotEqual(CloudInstanceState.Running, (await service.Cloud.GetAsync("us-east-1", doomed.InstanceId!))!.State);
        Assert.Empty(await grain.GetCommandsAsync());
    }

    [Fact]
    public async Task A_DaemonSet_pod_is_evicted_only_after_the_workload_pods_and_is_not_recreated_pending()
    {
        await using var service = await ServiceCluster.StartAsync();
        const string id = "sim-drain-ds";
        var registration = TestObjects.Registration(id);
        await service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(registration, TestObjects.Sha256("agent-" + id));
        var grain = service.Grains.GetGrain<IClusterGrain>(id);
        var cluster = new SimulatedCluster(registration, grain, service.Cloud, service.Clock, new SimulatedClusterSettings { DaemonSetPods = true });
        cluster.RemoveAllWorkloads();
        var requests = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("1Gi") } };
        cluster.AddDaemonSet(new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "logs", NamespaceProperty = "kube-system", Uid = "logs-uid" },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "logs" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "logs" } },
                    // No toleration for karpenter.sh/disrupted: the drain evicts it, last.
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "logs", Image = "pause", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("50m") } } }] },
                },
            },
        });
        var spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "app", Image = "pause", Resources = requests }],
            NodeSelector = new Dictionary<string, string> { ["kubernetes.io/arch"] = "amd64" },
        };
        cluster.AddWorkload(new SimulatedWorkload("shop", spec, BaseReplicas: 3));

        await StepAsync(service, cluster, grain);
        await StepAsync(service, cluster, grain);
        var doomed = (await grain.GetNodeClaimsAsync()).First(c => c.Phase == NodeClaimPhase.Initialized);
        bool IsLogs(V1Pod p) => p.Metadata.OwnerReferences?.Any(o => o.Kind == "DaemonSet" && o.Name == "logs") == true;
        var onDoomed = cluster.Pods().Where(p => p.Spec.NodeName == doomed.NodeName).ToList();
        Assert.Contains(onDoomed, IsLogs);
        var workloadPods = onDoomed.Count(p => p.Metadata.OwnerReferences?.Any(o => o.Kind == "ReplicaSet") == true);
        Assert.True(workloadPods > 0);

        await grain.DeleteNodeClaimAsync(doomed.Name, "test");
        for (var i = 0; i < 40 && (await grain.GetNodeClaimsAsync()).Single(c => c.Name == doomed.Name).Phase != NodeClaimPhase.Terminated; i++)
        {
            await StepAsync(service, cluster, grain);
            var pods = cluster.Pods();
            var left = pods.Where(p => p.Spec.NodeName == doomed.NodeName).ToList();
            if (left.Count > 0 && !left.Any(IsLogs))
            {
                Assert.DoesNotContain(left, p => p.Metadata.OwnerReferences?.Any(o => o.Kind == "ReplicaSet") == true);
            }

            Assert.DoesNotContain(pods, p => IsLogs(p) && string.IsNullOrEmpty(p.Spec.NodeName));
        }

        Assert.Equal(NodeClaimPhase.Terminated, (await grain.GetNodeClaimsAsync()).Single(c => c.Name == doomed.Name).Phase);
        // Every workload pod and the logs pod were evicted; the default node agent tolerates every taint and stayed until the node went.
        Assert.Equal(workloadPods + 1, cluster.PodsEvicted);
        await StepAsync(service, cluster, grain);
        await StepAsync(service, cluster, grain);
        var after = cluster.Pods();
        Assert.Equal(3, after.Count(p => p.Metadata.Labels["app"] == "shop" && p.Status.Phase == "Running"));
        var nodes = after.Where(p => !string.IsNullOrEmpty(p.Spec.NodeName)).Select(p => p.Spec.NodeName).Distinct().ToList();
        Assert.All(nodes, n => Assert.Single(after, p => IsLogs(p) && p.Spec.NodeName == n));
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
