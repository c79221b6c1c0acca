using System.Text.Json;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Agent.Tests.TestSupport;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Simulation;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Agent.Tests;

/// <summary>
/// The real path end to end: an API server whose kubelet, kube-scheduler and workload controller are played by
/// <see cref="SimulatedKubeCluster"/>, the real agent streaming it over HTTP with the cluster's token, the real
/// silo, and the simulated cloud. What a user sees in the cluster is what the service did.
/// </summary>
public sealed class EndToEndTests
{
    private const string Web = "web";
    private const string Blocker = "blocker";

    [Fact]
    public async Task Pending_pods_become_NodeClaims_and_running_pods_then_a_scale_in_drains_nodes_through_evictions_and_deletes_them()
    {
        await using var rig = await AgentRig.StartAsync(FastService);
        var cloud = rig.Silo.Services.GetRequiredService<ICloudProviders>().Get("simulated");
        var registration = new ClusterRegistration(AgentRig.ClusterId, "simulated", "us-east-1", "111111111111");
        var cluster = new SimulatedKubeCluster(registration, rig.Kube, cloud, settings: new SimulatedClusterSettings { DefaultObjects = false });
        await rig.Kube.CustomObjects.CreateClusterCustomObjectAsync(JsonDocument.Parse(NodePoolJson).RootElement, "karpenter.sh", "v1", "nodepools");

        // Only 2-vCPU nodes (about 1,930m allocatable): a blocker (1,200m) fills one so far that it takes only one
        // web pod (500m) besides, so three of each need three nodes; without the blockers the webs fit on one.
        cluster.AddWorkload(new SimulatedWorkload(Blocker, Spec("1200m"), BaseReplicas: 3));
        cluster.AddWorkload(new SimulatedWorkload(Web, Spec("500m"), BaseReplicas: 3));
        await cluster.TickAsync();
        await rig.StartAgentAsync(FastAgent);

        var grownInstances = new HashSet<string>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource();
        var ticking = TickAsync(cluster, stop.Token);
        try
        {
            // The service's view follows the cluster's through the agent's stream, so it is waited for too.
            await rig.EventuallyAsync("every pod Running on one of three nodes, each node a NodeClaim's, and nothing pending for the service", async () =>
            {
                var pods = await PodsAsync(rig);
                var nodes = await NodeNamesAsync(rig);
                var claimNodes = (await NodeClaimObjectsAsync(rig)).Select(c => c.NodeName ?? "").ToHashSet(StringComparer.Ordinal);
                return pods.Count == 6 && pods.All(p => p.Status?.Phase == "Running" && nodes.Contains(p.Spec.NodeName))
                    && nodes.Count == 3 && nodes.SetEquals(claimNodes) && !(await rig.PendingAsync()).Any();
            });

            var grown = await rig.NodeClaimsAsync();
            var grownLive = grown.Where(c => c.IsLive).ToList();
            Assert.Equal(3, grownLive.Count);
            // The karpenter.sh/v1 objects are the service's claims, each on the instance the cloud runs for it.
            Assert.Equal(grownLive.Select(c => c.Name).Order(StringComparer.Ordinal), (await NodeClaimObjectsAsync(rig)).Select(c => c.Name).Order(StringComparer.Ordinal));
            Assert.Equal(grownLive.Select(c => c.InstanceId!).Order(StringComparer.Ordinal), (await RunningAsync(cloud)).Order(StringComparer.Ordinal));
            Assert.Empty(await rig.PendingAsync());
            grownInstances.UnionWith(grownLive.Select(c => c.InstanceId!));

            // Scale-in: the blockers go, leaving one web pod on each node, which consolidation packs onto one node.
            cluster.SetReplicas(Blocker, 0);
            await rig.EventuallyAsync("one node left, running the three web pods, one instance, and nothing pending for the service", async () =>
            {
                var pods = await PodsAsync(rig);
                var nodes = await NodeNamesAsync(rig);
                return nodes.Count == 1 && (await RunningAsync(cloud)).Count == 1
                    && pods.Count == 3 && pods.All(p => p.Status?.Phase == "Running" && nodes.Contains(p.Spec.NodeName))
                    && (await NodeClaimObjectsAsync(rig)).Count == 1 && !(await rig.PendingAsync()).Any();
            });
        }
        finally
        {
            await stop.CancelAsync();
            await ticking;
        }

        // The drained nodes' web pods left through the Eviction subresource (deleting a pod would bypass its PDBs).
        var evictions = rig.Server.Requests.Where(r => r.StartsWith("POST /api/v1/namespaces/default/pods/", StringComparison.Ordinal) && r.EndsWith("/eviction", StringComparison.Ordinal)).Distinct().Count();
        Assert.True(evictions >= 2, $"{evictions} pods were evicted; draining two of the three nodes evicts at least two");

        var claims = await rig.NodeClaimsAsync();
        var live = claims.Where(c => c.IsLive).ToList();
        var survivor = Assert.Single(live);
        Assert.Equal([survivor.InstanceId!], await RunningAsync(cloud));
        Assert.Equal([survivor.NodeName!], await NodeNamesAsync(rig));
        Assert.Equal([survivor.Name], (await NodeClaimObjectsAsync(rig)).Select(c => c.Name));
        // Every claim had its own instance: none launched twice, none shared.
        var instances = claims.Where(c => c.InstanceId is not null).Select(c => c.InstanceId!).ToList();
        Assert.Equal(instances.Count, instances.Distinct(StringComparer.Ordinal).Count());
        // The three grown claims, and a replacement when consolidation chose one over keeping a node.
        Assert.Superset(grownInstances, instances.ToHashSet(StringComparer.Ordinal));
        Assert.Empty(await rig.PendingAsync());
        Assert.Equal(0, cluster.PendingPods);
    }

    private static async Task TickAsync(SimulatedKubeCluster cluster, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await cluster.TickAsync(cancellationToken);
                await Task.Delay(200, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static async Task<List<V1Pod>> PodsAsync(AgentRig rig) => [.. (await rig.Kube.CoreV1.ListPodForAllNamespacesAsync()).Items];

    private static async Task<HashSet<string>> NodeNamesAsync(AgentRig rig) =>
        (await rig.Kube.CoreV1.ListNodeAsync()).Items.Select(n => n.Metadata.Name).ToHashSet(StringComparer.Ordinal);

    private static async Task<List<string>> RunningAsync(ICloudProvider cloud) =>
        [.. (await cloud.ListAsync("us-east-1", AgentRig.ClusterId)).Where(i => i.State is CloudInstanceState.Running or CloudInstanceState.Pending).Select(i => i.Id).Order(StringComparer.Ordinal)];

    /// <summary>The cluster's karpenter.sh/v1 NodeClaim objects: name and status.nodeName.</summary>
    private static async Task<List<(string Name, string? NodeName)>> NodeClaimObjectsAsync(AgentRig rig)
    {
        var list = (JsonElement)await rig.Kube.CustomObjects.ListClusterCustomObjectAsync("karpenter.sh", "v1", "nodeclaims");
        return [.. list.GetProperty("items").EnumerateArray().Select(o => (
            o.GetProperty("metadata").GetProperty("name").GetString()!,
            o.TryGetProperty("status", out var s) && s.TryGetProperty("nodeName", out var n) ? n.GetString() : null))];
    }

    private static V1PodSpec Spec(string cpu) => new()
    {
        Containers =
        [
            new V1Container
            {
                Name = "app",
                Image = "registry.example.com/app:1",
                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new("256Mi") } },
            },
        ],
    };

    private const string NodePoolJson = """
        {"apiVersion":"karpenter.sh/v1","kind":"NodePool","metadata":{"name":"small"},
         "spec":{"template":{"spec":{"nodeClassRef":{"group":"karpenter.k8s.aws","kind":"EC2NodeClass","name":"default"},
           "requirements":[{"key":"karpenter.sh/capacity-type","operator":"In","values":["on-demand"]},
                           {"key":"kubernetes.io/arch","operator":"In","values":["amd64"]},
                           {"key":"karpenter.k8s.aws/instance-cpu","operator":"In","values":["2"]}]}},
           "disruption":{"consolidationPolicy":"WhenEmptyOrUnderutilized","consolidateAfter":"1s","budgets":[{"nodes":"100%"}]}}}
        """;

    /// <summary>Short batches, reconciles and validation, and a cloud that boots and stops in half a second.</summary>
    private static readonly IReadOnlyDictionary<string, string?> FastService = new Dictionary<string, string?>
    {
        ["Karpo:Provisioning:BatchIdleDuration"] = "00:00:00.200",
        ["Karpo:Provisioning:BatchMaxDuration"] = "00:00:02",
        ["Karpo:Provisioning:ReconcileInterval"] = "00:00:00.500",
        ["Karpo:Provisioning:ConsolidationValidationPeriod"] = "00:00:00.500",
        ["Karpo:SimulatedCloud:BootDelay"] = "00:00:00.500",
        ["Karpo:SimulatedCloud:ShutdownDelay"] = "00:00:00.500",
        ["Karpo:SimulatedCloud:AutomaticInterruptions"] = "false",
        ["Karpo:SimulatedCloud:AutomaticRebalanceRecommendations"] = "false",
        ["Karpo:SimulatedCloud:ScheduledChangesPerInstanceDay"] = "0",
    };

    /// <summary>The agent polls commands, NodeClaims and feedback often, so the test does not wait on its defaults.</summary>
    private static readonly IReadOnlyDictionary<string, string?> FastAgent = new Dictionary<string, string?>
    {
        ["Agent:CommandPollInterval"] = "00:00:00.200",
        ["Agent:NodeClaimPollInterval"] = "00:00:00.300",
        ["Agent:FeedbackPollInterval"] = "00:00:01",
    };
}
