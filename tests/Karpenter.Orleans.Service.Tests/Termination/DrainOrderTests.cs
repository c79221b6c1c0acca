using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Service.Tests.TestSupport;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Termination;

/// <summary>
/// The cluster grain carries out the drain's eviction order: workloads, then DaemonSet pods, then critical
/// pods, each group once the one before is gone; pods tolerating the disrupted taint and mirror pods stay;
/// a PodDisruptionBudget is never asked for more than it allows.
/// </summary>
public sealed class DrainOrderTests
{
    private static V1Pod Bound(V1Pod pod, V1Node node, string? owner = null, string? priorityClass = null)
    {
        TestAgent.Bind(pod, node);
        if (owner is not null)
        {
            pod.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = owner == "Node" ? "v1" : "apps/v1", Kind = owner, Name = pod.Metadata.Name, Uid = pod.Metadata.Name }];
        }

        pod.Spec.PriorityClassName = priorityClass;
        return pod;
    }

    [Fact]
    public async Task A_drain_evicts_workloads_then_DaemonSet_pods_then_critical_pods_and_leaves_tolerating_and_mirror_pods()
    {
        await using var service = await ServiceCluster.StartAsync();
        var web = Pod("web-0");
        var (agent, claim, node) = await TestAgent.NodeWithPodsAsync(service.Grains, "drain-order", [web]);
        var logs = Bound(Pod("logs-0", cpu: "10m"), node, owner: "DaemonSet");
        var dns = Bound(Pod("dns-0", cpu: "10m"), node, priorityClass: "system-cluster-critical");
        var cni = Bound(Pod("cni-0", cpu: "10m"), node, owner: "DaemonSet", priorityClass: "system-node-critical");
        var proxy = Bound(Pod("proxy-0", cpu: "10m"), node, owner: "Node");
        var agentPod = Bound(Pod("agent-0", cpu: "10m"), node, owner: "DaemonSet");
        agentPod.Spec.Tolerations = [new V1Toleration { Key = "karpenter.sh/disrupted", OperatorProperty = "Exists" }];
        await agent.SendAsync(logs, dns, cni, proxy, agentPod);

        await agent.Cluster.DeleteNodeClaimAsync(claim.Name, "test");
        await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);

        var order = new List<string>();
        for (var round = 0; round < 6 && await agent.PhaseAsync(claim.Name) == NodeClaimPhase.Draining; round++)
        {
            var evictions = (await agent.CommandsAsync()).Where(c => c.Kind == ClusterCommandKind.EvictPod).ToList();
            order.Add(string.Join(",", evictions.Select(c => c.Pod).Order(StringComparer.Ordinal)));
            await agent.AckAsync(evictions, CommandOutcome.Done);

            // Accepted but not gone yet: the next group waits.
            Assert.DoesNotContain(await agent.CommandsAsync(), c => c.Kind == ClusterCommandKind.EvictPod);
            foreach (var e in evictions)
            {
                await agent.DeletePodAsync(Pod(e.Pod!));
            }
        }

        Assert.Equal(["web-0", "logs-0", "dns-0", "cni-0"], order);
        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
        Assert.NotEqual(CloudInstanceState.Running, (await service.Cloud.GetAsync("us-east-1", claim.InstanceId!))!.State);
    }

    [Fact]
    public async Task A_PDB_allowing_one_disruption_gets_one_eviction_at_a_time_without_a_refusal()
    {
        await using var service = await ServiceCluster.StartAsync();
        var pods = new[] { Pod("shop-0"), Pod("shop-1"), Pod("shop-2") };
        var (agent, claim, _) = await TestAgent.NodeWithPodsAsync(service.Grains, "drain-pdb", pods);
        await agent.SendAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "shop", NamespaceProperty = "default" },
            Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "shop" } } },
        });

        await agent.Cluster.DeleteNodeClaimAsync(claim.Name, "test");
        await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);

        var evicted = new List<string>();
        for (var round = 0; round < 3; round++)
        {
            var eviction = Assert.Single(await agent.CommandsAsync());
            Assert.Equal(ClusterCommandKind.EvictPod, eviction.Kind);
            evicted.Add(eviction.Pod!);
            await agent.AckAsync([eviction], CommandOutcome.Done);

            // Its pod is still there and counts against the budget: nothing more is asked until it goes.
            service.Clock.Advance(TimeSpan.FromSeconds(5));
            await agent.Cluster.ReconcileAsync();
            Assert.Empty(await agent.CommandsAsync());
            await agent.DeletePodAsync(pods.Single(p => p.Metadata.Name == eviction.Pod));
        }

        Assert.Equal(["shop-0", "shop-1", "shop-2"], evicted);
        Assert.Equal(NodeClaimPhase.Terminated, await agent.PhaseAsync(claim.Name));
    }

    [Fact]
    public async Task Two_nodes_draining_together_share_one_PDB_and_get_one_eviction_between_them()
    {
        await using var service = await ServiceCluster.StartAsync();
        var pods = new[] { Pod("shop-0"), Pod("shop-1") };
        foreach (var pod in pods)
        {
            // One shop pod per node.
            pod.Spec.Affinity = new V1Affinity
            {
                PodAntiAffinity = new V1PodAntiAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1PodAffinityTerm { TopologyKey = "kubernetes.io/hostname", LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "shop" } } },
                    ],
                },
            };
        }

        var cluster = await RegisterAsync(service.Grains, "drain-pdb-two", pods);
        await cluster.ProvisionAsync();
        var claims = await cluster.GetNodeClaimsAsync();
        Assert.Equal(2, claims.Count);
        var agent = new TestAgent(cluster);
        for (var i = 0; i < claims.Count; i++)
        {
            var node = NodeFor(claims[i]);
            await agent.SendAsync(node);
            TestAgent.Bind(pods[i], node);
        }

        await agent.SendAsync(pods);
        await agent.SendAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "shop", NamespaceProperty = "default" },
            Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "shop" } } },
        });

        foreach (var claim in claims)
        {
            await agent.Cluster.DeleteNodeClaimAsync(claim.Name, "test");
        }

        await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);

        var eviction = Assert.Single(await agent.CommandsAsync());
        Assert.Equal(ClusterCommandKind.EvictPod, eviction.Kind);
        await agent.AckAsync([eviction], CommandOutcome.Done);
        await agent.DeletePodAsync(pods.Single(p => p.Metadata.Name == eviction.Pod));

        // The first pod gone, the budget allows the other (its ReplicaSet would bring a replacement; none here).
        var second = Assert.Single(await agent.CommandsAsync(), c => c.Kind == ClusterCommandKind.EvictPod);
        Assert.NotEqual(eviction.Pod, second.Pod);
    }
}
