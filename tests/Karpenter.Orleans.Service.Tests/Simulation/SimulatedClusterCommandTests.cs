using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace Karpenter.Orleans.Service.Tests.Simulation;

/// <summary>The simulated cluster carries out the service's commands as a real cluster would: taints, evictions through PodDisruptionBudgets, deletions.</summary>
public sealed class SimulatedClusterCommandTests
{
    private const string Region = "us-east-1";
    private const string ClusterId = "sim-commands";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingClusterGrain _grain = new();
    private readonly SimulatedCloudProvider _cloud;
    private readonly SimulatedCluster _cluster;

    public SimulatedClusterCommandTests()
    {
        var options = new SimulatedCloudOptions
        {
            CatalogPath = RepositoryFile("data/aws-us-east-1-instance-types.json"),
            BootDelay = TimeSpan.Zero,
            ShutdownDelay = TimeSpan.FromSeconds(30),
            AutomaticInterruptions = false,
        };
        options.Regions.Add(Region);
        _cloud = new SimulatedCloudProvider(options, _time);
        _cluster = new SimulatedCluster(new ClusterRegistration(ClusterId, SimulatedCloudProvider.ProviderName, Region, "111111111111"),
            _grain, _cloud, _time, new SimulatedClusterSettings { DefaultObjects = false });
        var spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "app", Image = "pause", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("256Mi") } } }],
        };
        _cluster.AddWorkload(new SimulatedWorkload("shop", spec, BaseReplicas: 4));
        // At most one shop pod down at a time.
        _cluster.AddPodDisruptionBudget(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "shop", NamespaceProperty = "default" },
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 3, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "shop" } } },
        });
    }

    private static string RepositoryFile(string relative, [CallerFilePath] string here = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(here)!); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(relative);
    }

    private async Task<string> NodeWithPodsAsync()
    {
        await _cloud.LaunchAsync(new LaunchRequest(Region, "111111111111", ClusterId, "default-aaaaa", "default",
            [new LaunchOffering("m5.xlarge", "us-east-1a", CapacityTypes.OnDemand, 0.192)],
            new Dictionary<string, string> { ["karpo.io/node-labels"] = "{}", ["karpo.io/node-taints"] = "[]" }, "token-a"));
        await _cluster.TickAsync();
        Assert.Equal((1, 4), (_cluster.Nodes, _cluster.BoundPods));
        return _cluster.Pods().First().Spec.NodeName;
    }

    private static ClusterCommand Command(string id, ClusterCommandKind kind, string node, string? pod = null, string? taint = null) =>
        new(id, kind, node, pod is null ? null : "default", pod, taint, DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task Evictions_obey_the_PodDisruptionBudget_and_an_evicted_pod_comes_back_pending()
    {
        var node = await NodeWithPodsAsync();
        var pods = _cluster.Pods().Select(p => p.Metadata.Name).ToList();
        _grain.Commands.Add(Command("c/taint/1", ClusterCommandKind.TaintNode, node, taint: "karpenter.sh/disrupted:NoSchedule"));
        _grain.Commands.AddRange(pods.Select((p, i) => Command($"c/evict/default/{p}/1", ClusterCommandKind.EvictPod, node, p)));

        await _cluster.TickAsync();

        Assert.Equal(5, _grain.Acks.Count);
        Assert.Equal(CommandOutcome.Done, _grain.Acks[0].Outcome);
        Assert.Equal([CommandOutcome.Done, CommandOutcome.Refused, CommandOutcome.Refused, CommandOutcome.Refused], _grain.Acks.Skip(1).Select(a => a.Outcome));
        Assert.All(_grain.Acks.Where(a => a.Outcome == CommandOutcome.Refused), a => Assert.Contains("disruption budget default/shop", a.Message, StringComparison.Ordinal));
        Assert.Equal((1, 3), (_cluster.PodsEvicted, _cluster.EvictionsRefused));

        // The ReplicaSet made a new pod; the tainted node does not take it.
        var now = _cluster.Pods();
        Assert.Equal(4, now.Count);
        Assert.DoesNotContain(pods[0], now.Select(p => p.Metadata.Name));
        Assert.Equal(1, _cluster.PendingPods);
        var tainted = KubernetesJson.Deserialize<V1Node>(_grain.AllDeltas.Last(d => d.Kind == ObjectKind.Node).Json!);
        Assert.Contains(tainted.Spec.Taints, t => t.Key == "karpenter.sh/disrupted" && t.Effect == "NoSchedule");
        Assert.Contains(_grain.AllDeltas, d => d.Type == DeltaType.Delete && d.Kind == ObjectKind.Pod && d.Name == pods[0]);
        Assert.Empty(_grain.ProtocolErrors);
    }

    [Fact]
    public async Task DeletePod_ignores_the_budget_and_DeleteNode_removes_the_node_for_good()
    {
        var node = await NodeWithPodsAsync();
        var pods = _cluster.Pods().Select(p => p.Metadata.Name).ToList();
        _grain.Commands.AddRange(pods.Take(2).Select(p => Command($"c/delete/default/{p}/1", ClusterCommandKind.DeletePod, node, p)));

        await _cluster.TickAsync();
        Assert.Equal(2, _cluster.PodsEvicted);
        Assert.All(_grain.Acks, a => Assert.Equal(CommandOutcome.Done, a.Outcome));

        _grain.Commands.Add(Command("c/delete-node", ClusterCommandKind.DeleteNode, node));
        _grain.Commands.Add(Command("c/evict/default/gone/1", ClusterCommandKind.EvictPod, node, "gone"));
        await _cluster.TickAsync();
        await _cluster.TickAsync();

        Assert.Equal(0, _cluster.Nodes);
        Assert.Equal(4, _cluster.PendingPods);
        Assert.Equal(CommandOutcome.Done, _grain.Acks.Single(a => a.Id == "c/evict/default/gone/1").Outcome);
        Assert.Contains(_grain.AllDeltas, d => d.Type == DeltaType.Delete && d.Kind == ObjectKind.Node && d.Name == node);
        Assert.Equal(CloudInstanceState.Running, (await _cloud.ListAsync(Region, ClusterId)).Single().State);
    }

    [Fact]
    public async Task Commands_delivered_twice_are_carried_out_once()
    {
        var node = await NodeWithPodsAsync();
        var pod = _cluster.Pods()[0].Metadata.Name;
        var taint = Command("c/taint/1", ClusterCommandKind.TaintNode, node, taint: "karpenter.sh/disrupted:NoSchedule");
        var evict = Command($"c/evict/default/{pod}/1", ClusterCommandKind.EvictPod, node, pod);
        _grain.Commands.AddRange([taint, evict]);
        await _cluster.TickAsync();
        var nodeDeltas = _grain.AllDeltas.Count(d => d.Kind == ObjectKind.Node);

        // The acks were lost: the same commands come again.
        _grain.Commands.AddRange([taint, evict]);
        await _cluster.TickAsync();

        Assert.Equal(nodeDeltas, _grain.AllDeltas.Count(d => d.Kind == ObjectKind.Node));
        Assert.Equal(1, _cluster.PodsEvicted);
        Assert.All(_grain.Acks, a => Assert.Equal(CommandOutcome.Done, a.Outcome));
        Assert.Equal(4, _cluster.Pods().Count);
    }
}
