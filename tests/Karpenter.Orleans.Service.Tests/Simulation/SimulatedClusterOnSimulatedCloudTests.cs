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

/// <summary>The simulated cluster on the real simulated cloud: instances boot, join, bind pods, and take them down when they go.</summary>
public sealed class SimulatedClusterOnSimulatedCloudTests
{
    private const string Region = "us-east-1";
    private const string ClusterId = "sim-cloud";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingClusterGrain _grain = new();
    private readonly SimulatedCloudProvider _cloud;
    private readonly SimulatedCluster _cluster;

    public SimulatedClusterOnSimulatedCloudTests()
    {
        var options = new SimulatedCloudOptions
        {
            CatalogPath = RepositoryFile("data/aws-us-east-1-instance-types.json"),
            BootDelay = TimeSpan.FromSeconds(5),
            ShutdownDelay = TimeSpan.FromSeconds(5),
            AutomaticInterruptions = false,
        };
        options.Regions.Add(Region);
        _cloud = new SimulatedCloudProvider(options, _time);
        _cluster = new SimulatedCluster(
            new ClusterRegistration(ClusterId, SimulatedCloudProvider.ProviderName, Region, "111111111111"),
            _grain,
            _cloud,
            _time,
            new SimulatedClusterSettings { DefaultObjects = false });
        var spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "app",
                    Image = "pause",
                    Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("1Gi") } },
                },
            ],
            NodeSelector = new Dictionary<string, string> { ["team"] = "checkout" },
        };
        _cluster.AddWorkload(new SimulatedWorkload("checkout", spec, BaseReplicas: 2));
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

    private Task<CloudInstance> LaunchAsync(string capacityType) =>
        LaunchAsync(ClusterId, "default", "m5.large", "us-east-1a", capacityType, """{"team":"checkout"}""", "[]");

    private async Task<CloudInstance> LaunchAsync(string clusterId, string nodePool, string type, string zone, string capacityType, string labels, string taints)
    {
        var result = await _cloud.LaunchAsync(new LaunchRequest(
            Region,
            "111111111111",
            clusterId,
            $"{nodePool}-{Guid.NewGuid():N}"[..20],
            nodePool,
            [new LaunchOffering(type, zone, capacityType, 0.1)],
            new Dictionary<string, string>
            {
                ["karpo.io/node-labels"] = labels,
                ["karpo.io/node-taints"] = taints,
            },
            Guid.NewGuid().ToString("N")));
        return Assert.IsType<CloudInstance>(result.Instance);
    }

    [Fact]
    public async Task An_instance_joins_after_booting_and_its_pods_return_to_pending_when_it_is_terminated()
    {
        var instance = await LaunchAsync(CapacityTypes.OnDemand);
        await _cluster.TickAsync();
        Assert.Equal(0, _cluster.Nodes);
        Assert.Equal(2, _cluster.PendingPods);

        _time.Advance(TimeSpan.FromSeconds(5));
        await _cluster.TickAsync();

        Assert.Equal(1, _cluster.Nodes);
        Assert.Equal(2, _cluster.BoundPods);
        Assert.All(_cluster.BindLatencies, l => Assert.Equal(TimeSpan.FromSeconds(5), l));
        var node = KubernetesJson.Deserialize<V1Node>(_grain.AllDeltas.First(d => d.Kind == ObjectKind.Node).Json!);
        Assert.Equal(instance.ProviderId, node.Spec.ProviderID);
        Assert.Equal("m5", node.Metadata.Labels["karpenter.k8s.aws/instance-family"]);
        Assert.Equal("on-demand", node.Metadata.Labels["karpenter.sh/capacity-type"]);
        Assert.Equal("us-east-1a", node.Metadata.Labels["topology.kubernetes.io/zone"]);
        Assert.Equal("checkout", node.Metadata.Labels["team"]);

        await _cloud.TerminateAsync(Region, instance.Id);
        await _cluster.TickAsync();

        Assert.Equal(0, _cluster.Nodes);
        Assert.Equal(0, _cluster.BoundPods);
        Assert.Equal(2, _cluster.PendingPods);
        Assert.Empty(_grain.ProtocolErrors);
    }

    [Fact]
    public async Task A_spot_interruption_takes_the_node_away_when_the_instance_is_reclaimed()
    {
        var instance = await LaunchAsync(CapacityTypes.Spot);
        _time.Advance(TimeSpan.FromSeconds(5));
        await _cluster.TickAsync();
        Assert.Equal(1, _cluster.Nodes);

        Assert.True(_cloud.Interrupt(instance.Id));
        await _cluster.TickAsync();
        Assert.Equal(1, _cluster.Nodes);

        _time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(10));
        await _cluster.TickAsync();

        Assert.Equal(0, _cluster.Nodes);
        Assert.Equal(2, _cluster.PendingPods);
    }

    [Fact]
    public async Task The_default_mix_binds_once_the_capacity_it_asks_for_exists()
    {
        const string id = "defaults";
        var cluster = new SimulatedCluster(
            new ClusterRegistration(id, SimulatedCloudProvider.ProviderName, Region, "111111111111"),
            _grain,
            _cloud,
            _time);
        foreach (var zone in new[] { "us-east-1a", "us-east-1b", "us-east-1c" })
        {
            await LaunchAsync(id, "default", "m5.4xlarge", zone, CapacityTypes.Spot, "{}", "[]");
        }

        await LaunchAsync(id, "default", "m6g.large", "us-east-1a", CapacityTypes.Spot, "{}", "[]");
        await LaunchAsync(id, "on-demand", "m5.large", "us-east-1b", CapacityTypes.OnDemand, "{}", """["karpo.io/critical=true:NoSchedule"]""");
        _time.Advance(TimeSpan.FromSeconds(5));

        await cluster.TickAsync();

        Assert.Equal(5, cluster.Nodes);
        var pods = _grain.Snapshots.Last().Objects.Where(o => o.Kind == ObjectKind.Pod).Select(o => KubernetesJson.Deserialize<V1Pod>(o.Json)).ToList();
        Assert.Empty(pods.Where(p => p.Spec.NodeName is null).Select(p => p.Metadata.Name));
        var nodes = _grain.Snapshots.Last().Objects.Where(o => o.Kind == ObjectKind.Node).Select(o => KubernetesJson.Deserialize<V1Node>(o.Json))
            .ToDictionary(n => n.Metadata.Name);
        Assert.All(pods.Where(p => p.Metadata.Labels["app"] == "payments"),
            p => Assert.Equal("on-demand", nodes[p.Spec.NodeName].Metadata.Labels["karpenter.sh/capacity-type"]));
        Assert.All(pods.Where(p => p.Metadata.Labels["app"] != "payments"),
            p => Assert.Null(nodes[p.Spec.NodeName].Spec.Taints));
    }
}
