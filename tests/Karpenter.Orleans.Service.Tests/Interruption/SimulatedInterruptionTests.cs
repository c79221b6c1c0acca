using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Service.Tests.Termination;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Karpenter.Orleans.Simulation;

namespace Karpenter.Orleans.Service.Tests.Interruption;

/// <summary>
/// The whole interruption between the service, the simulated cloud (which reclaims a warned spot instance two
/// minutes after its warning, and stops one at its scheduled change) and a simulated cluster (which carries the
/// commands out: evictions obey PDBs, evicted pods come back pending and are bound where they fit).
/// </summary>
public sealed class SimulatedInterruptionTests
{
    private const string Region = "us-east-1";

    [Fact]
    public async Task A_spot_interruption_warning_ends_with_the_pods_running_on_the_replacement_before_the_instance_is_reclaimed()
    {
        await using var service = await ServiceCluster.StartAsync();
        using var terminated = new TerminatedCounter("sim-spot");
        using var messages = new TerminatedCounter("sim-spot", MetricNames.InterruptionMessages);
        var (cluster, grain) = await StartClusterAsync(service, "sim-spot", CapacityTypes.Spot);
        var doomed = Assert.Single(await grain.GetNodeClaimsAsync());
        Assert.Equal(CapacityTypes.Spot, doomed.CapacityType);
        var deadline = service.Clock.GetUtcNow() + TimeSpan.FromMinutes(2);

        Assert.True(service.Cloud.Interrupt(doomed.InstanceId!));
        var (replacement, endedAt) = await RunUntilTerminatedAsync(service, cluster, grain, doomed, deadline);

        Assert.True(endedAt < deadline, $"the claim ended at {endedAt:O}, after the deadline {deadline:O}");
        Assert.Equal(NodeClaimPhase.Initialized, replacement.Phase);
        Assert.Equal(CapacityTypes.Spot, replacement.CapacityType);
        Assert.NotEqual((doomed.InstanceType, doomed.Zone), (replacement.InstanceType, replacement.Zone));
        Assert.Equal((4, 0), (cluster.BoundPods, cluster.PendingPods));
        Assert.All(cluster.Pods().Where(p => p.Metadata.Labels["app"] == "shop"), p => Assert.Equal(replacement.NodeName, p.Spec.NodeName));
        // Terminated once, by the service: the cloud's reclaim at the deadline found it gone and sent no Terminated event.
        service.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(0, await service.Poller.PollOnceAsync(CancellationToken.None));
        Assert.Equal(1, terminated.Count);
        Assert.Equal(1, messages.Count);
        Assert.Equal(2, service.Cloud.InstancesCreated);
    }

    [Fact]
    public async Task A_scheduled_change_is_handled_before_its_deadline()
    {
        await using var service = await ServiceCluster.StartAsync();
        using var terminated = new TerminatedCounter("sim-change");
        var (cluster, grain) = await StartClusterAsync(service, "sim-change", CapacityTypes.OnDemand);
        var doomed = Assert.Single(await grain.GetNodeClaimsAsync());
        var deadline = service.Clock.GetUtcNow() + TimeSpan.FromMinutes(10);

        Assert.True(service.Cloud.ScheduleChange(doomed.InstanceId!, TimeSpan.FromMinutes(10)));
        var (replacement, endedAt) = await RunUntilTerminatedAsync(service, cluster, grain, doomed, deadline);

        Assert.True(endedAt < deadline);
        Assert.Equal(NodeClaimPhase.Initialized, replacement.Phase);
        Assert.Equal((4, 0), (cluster.BoundPods, cluster.PendingPods));
        Assert.All(cluster.Pods().Where(p => p.Metadata.Labels["app"] == "shop"), p => Assert.Equal(replacement.NodeName, p.Spec.NodeName));
        Assert.Equal(1, terminated.Count);
    }

    /// <summary>A cluster with one "shop" Deployment of four pods (PDB maxUnavailable 1) on m5.xlarge of one capacity type, bound on one node.</summary>
    private static async Task<(SimulatedCluster Cluster, IClusterGrain Grain)> StartClusterAsync(ServiceCluster service, string id, string capacityType)
    {
        var registration = TestObjects.Registration(id);
        await service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(registration, TestObjects.Sha256("agent-" + id));
        var grain = service.Grains.GetGrain<IClusterGrain>(id);
        var cluster = new SimulatedCluster(registration, grain, service.Cloud, service.Clock);
        cluster.RemoveAllWorkloads();
        var spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "app", Image = "pause", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("512Mi") } } }],
            // One type, so the four pods share one node (spot prices could otherwise make two small nodes cheaper);
            // the replacement is the same type in another zone, since the interrupted offering is unavailable.
            NodeSelector = new Dictionary<string, string> { ["node.kubernetes.io/instance-type"] = "m5.xlarge", ["karpenter.sh/capacity-type"] = capacityType },
        };
        cluster.AddWorkload(new SimulatedWorkload("shop", spec, BaseReplicas: 4));
        cluster.AddPodDisruptionBudget(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "shop", NamespaceProperty = "default" },
            Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "shop" } } },
        });
        for (var i = 0; i < 5 && cluster.BoundPods < 4; i++)
        {
            await StepAsync(service, cluster, grain);
        }

        Assert.Equal((4, 0), (cluster.BoundPods, cluster.PendingPods));
        return (cluster, grain);
    }

    /// <summary>
    /// Steps the world (a second each) until the doomed claim is Terminated, checking at every step that its
    /// instance still runs while a pod is on its node. Returns the replacement and when the claim ended.
    /// </summary>
    private static async Task<(NodeClaimInfo Replacement, DateTimeOffset EndedAt)> RunUntilTerminatedAsync(
        ServiceCluster service, SimulatedCluster cluster, IClusterGrain grain, NodeClaimInfo doomed, DateTimeOffset deadline)
    {
        for (var i = 0; i < 600 && service.Clock.GetUtcNow() <= deadline + TimeSpan.FromMinutes(1); i++)
        {
            await StepAsync(service, cluster, grain);
            var claims = await grain.GetNodeClaimsAsync();
            var state = (await service.Cloud.GetAsync(Region, doomed.InstanceId!))!.State;
            if (cluster.Pods().Any(p => p.Spec.NodeName == doomed.NodeName))
            {
                Assert.Equal(CloudInstanceState.Running, state);
            }

            if (claims.Single(c => c.Name == doomed.Name).Phase == NodeClaimPhase.Terminated)
            {
                var endedAt = service.Clock.GetUtcNow();
                // The pods the drain moved are placed on the replacement within the next steps.
                for (var j = 0; j < 5 && cluster.PendingPods > 0; j++)
                {
                    await StepAsync(service, cluster, grain);
                }

                var replacement = Assert.Single(await grain.GetNodeClaimsAsync(), c => c.Name != doomed.Name && c.Phase != NodeClaimPhase.Terminated);
                return (replacement, endedAt);
            }
        }

        Assert.Fail($"NodeClaim {doomed.Name} was not terminated by {service.Clock.GetUtcNow():O}");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>One round: the cluster ticks, the cloud's notices are delivered, the service provisions and reconciles, a second passes.</summary>
    private static async Task StepAsync(ServiceCluster service, SimulatedCluster cluster, IClusterGrain grain)
    {
        await cluster.TickAsync();
        await service.Poller.PollOnceAsync(CancellationToken.None);
        await grain.ProvisionAsync();
        await grain.ReconcileAsync();
        service.Clock.Advance(TimeSpan.FromSeconds(1));
        await cluster.TickAsync();
    }
}
