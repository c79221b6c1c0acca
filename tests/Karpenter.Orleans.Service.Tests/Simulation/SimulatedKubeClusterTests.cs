using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Kubernetes.ApiServer;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace Karpenter.Orleans.Service.Tests.Simulation;

/// <summary>
/// The simulated cluster in a real (in-process) API server on the simulated cloud: its workload controller,
/// scheduler and kubelet act only through the API server, as a real cluster's components do.
/// </summary>
public sealed class SimulatedKubeClusterTests : IAsyncLifetime
{
    private const string Region = "us-east-1";
    private const string ClusterId = "sim-kube";
    private const string Workload = "checkout";

    private static readonly ClusterRegistration Registration = new(ClusterId, SimulatedCloudProvider.ProviderName, Region, "111111111111");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SimulatedCloudProvider _cloud;
    private KubeApiServer _server = null!;
    private k8s.Kubernetes _kube = null!;
    private SimulatedKubeCluster _cluster = null!;

    public SimulatedKubeClusterTests()
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
    }

    public async Task InitializeAsync()
    {
        _server = await KubeApiServer.StartAsync();
        _kube = _server.CreateClient();
        _cluster = NewCluster();
    }

    public async Task DisposeAsync()
    {
        _kube.Dispose();
        await _server.DisposeAsync();
    }

    private SimulatedKubeCluster NewCluster(SimulatedClusterSettings? settings = null, ICloudProvider? cloud = null)
    {
        var cluster = new SimulatedKubeCluster(Registration, _kube, cloud ?? _cloud, _time, settings ?? new SimulatedClusterSettings { DefaultObjects = false });
        if (settings is null)
        {
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
                Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "checkout", Effect = "NoSchedule" }],
            };
            cluster.AddWorkload(new SimulatedWorkload(Workload, spec, BaseReplicas: 2));
        }

        return cluster;
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

    /// <summary>Launches an instance for the cluster as the service does: the NodeClaim's labels and taints in the tags NodeFactory reads.</summary>
    private async Task<CloudInstance> LaunchAsync(string labels = """{"team":"checkout"}""", string taints = """["dedicated=checkout:NoSchedule"]""")
    {
        var result = await _cloud.LaunchAsync(new LaunchRequest(
            Region,
            "111111111111",
            ClusterId,
            $"default-{Guid.NewGuid():N}"[..20],
            "default",
            [new LaunchOffering("m5.large", "us-east-1a", CapacityTypes.OnDemand, 0.1)],
            new Dictionary<string, string>
            {
                ["karpo.io/node-labels"] = labels,
                ["karpo.io/node-taints"] = taints,
            },
            Guid.NewGuid().ToString("N")));
        return Assert.IsType<CloudInstance>(result.Instance);
    }

    /// <summary>Launches an instance, lets it boot and tick so its Node registers; returns the Node.</summary>
    private async Task<V1Node> JoinAsync()
    {
        var instance = await LaunchAsync();
        _time.Advance(TimeSpan.FromSeconds(5));
        await _cluster.TickAsync();
        return Assert.Single((await _kube.CoreV1.ListNodeAsync()).Items, n => n.Spec.ProviderID == instance.ProviderId);
    }

    private async Task<List<V1Pod>> WorkloadPodsAsync() =>
        [.. (await _kube.CoreV1.ListNamespacedPodAsync("default", labelSelector: $"app={Workload}")).Items.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)];

    [Fact]
    public async Task A_workloads_pods_appear_pending_and_unschedulable_while_no_node_runs()
    {
        await _cluster.TickAsync();

        var pods = await WorkloadPodsAsync();
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p =>
        {
            Assert.Null(p.Spec.NodeName);
            Assert.Equal("Pending", p.Status.Phase);
            var scheduled = Assert.Single(p.Status.Conditions, c => c.Type == "PodScheduled");
            Assert.Equal(("False", "Unschedulable"), (scheduled.Status, scheduled.Reason));
        });
        Assert.Equal(2, _cluster.PendingPods);
        Assert.Empty((await _kube.CoreV1.ListNodeAsync()).Items);
        // The agent list-watches NodePools and EC2NodeClasses: their CRDs are there even with no default objects.
        var crds = await _kube.ApiextensionsV1.ListCustomResourceDefinitionAsync();
        Assert.Equal(["ec2nodeclasses.karpenter.k8s.aws", "nodeclaims.karpenter.sh", "nodepools.karpenter.sh"], crds.Items.Select(c => c.Metadata.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_booted_instance_registers_a_node_with_the_claims_labels_and_taints_and_the_pods_bind_to_it_and_run()
    {
        var instance = await LaunchAsync();
        await _cluster.TickAsync();
        Assert.Empty((await _kube.CoreV1.ListNodeAsync()).Items);

        _time.Advance(TimeSpan.FromSeconds(5));
        await _cluster.TickAsync();

        var node = Assert.Single((await _kube.CoreV1.ListNodeAsync()).Items);
        Assert.Equal(instance.ProviderId, node.Spec.ProviderID);
        Assert.Equal("checkout", node.Metadata.Labels["team"]);
        Assert.Equal("m5.large", node.Metadata.Labels["node.kubernetes.io/instance-type"]);
        Assert.Equal("us-east-1a", node.Metadata.Labels["topology.kubernetes.io/zone"]);
        var taint = Assert.Single(node.Spec.Taints);
        Assert.Equal(("dedicated", "checkout", "NoSchedule"), (taint.Key, taint.Value, taint.Effect));
        Assert.Contains(node.Status.Conditions, c => c.Type == "Ready" && c.Status == "True");
        Assert.True(node.Status.Allocatable.ContainsKey("cpu"));

        var pods = await WorkloadPodsAsync();
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p =>
        {
            Assert.Equal(node.Metadata.Name, p.Spec.NodeName);
            Assert.Equal("Running", p.Status.Phase);
        });
        Assert.Equal((1, 2, 0), (_cluster.Nodes, _cluster.BoundPods, _cluster.PendingPods));
        // Bound as kube-scheduler binds: through the binding subresource.
        Assert.Equal(2, _server.Requests.Count(r => r.Contains("/binding", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Pods_that_do_not_tolerate_a_nodes_taint_or_match_its_labels_stay_pending()
    {
        await LaunchAsync(labels: """{"team":"checkout"}""", taints: """["dedicated=payments:NoSchedule"]""");
        await LaunchAsync(labels: """{"team":"search"}""", taints: "[]");
        _time.Advance(TimeSpan.FromSeconds(5));
        await _cluster.TickAsync();

        Assert.Equal(2, (await _kube.CoreV1.ListNodeAsync()).Items.Count);
        Assert.All(await WorkloadPodsAsync(), p => Assert.Null(p.Spec.NodeName));
        Assert.Equal(2, _cluster.PendingPods);
    }

    [Fact]
    public async Task An_evicted_pod_is_recreated_by_its_workload_and_scheduled_again()
    {
        var node = await JoinAsync();
        var evicted = (await WorkloadPodsAsync())[0].Metadata.Name;

        await _kube.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = evicted, NamespaceProperty = "default" } }, evicted, "default");
        Assert.Single(await WorkloadPodsAsync());
        await _cluster.TickAsync();

        var pods = await WorkloadPodsAsync();
        Assert.Equal(2, pods.Count);
        Assert.DoesNotContain(pods, p => p.Metadata.Name == evicted);
        Assert.All(pods, p => Assert.Equal(node.Metadata.Name, p.Spec.NodeName));
    }

    [Fact]
    public async Task With_graceful_deletion_the_kubelet_confirms_a_terminating_pod_and_the_workload_replaces_it()
    {
        await using var server = await KubeApiServer.StartAsync(new KubeApiServerOptions { GracefulPodDeletion = true });
        var kube = server.CreateClient();
        // DisposeAsync disposes the client in _kube.
        _kube.Dispose();
        _kube = kube;
        _cluster = NewCluster();
        await JoinAsync();
        var evicted = (await WorkloadPodsAsync())[0].Metadata.Name;

        await kube.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = evicted, NamespaceProperty = "default" } }, evicted, "default");
        // A bound pod terminates first: it is still there, marked, until its kubelet confirms.
        Assert.NotNull((await kube.CoreV1.ReadNamespacedPodAsync(evicted, "default")).Metadata.DeletionTimestamp);
        await _cluster.TickAsync();

        var pods = await WorkloadPodsAsync();
        Assert.Equal(2, pods.Count);
        Assert.DoesNotContain(pods, p => p.Metadata.Name == evicted);
        Assert.All(pods, p => Assert.Null(p.Metadata.DeletionTimestamp));
    }

    [Fact]
    public async Task A_replacement_is_pending_when_no_node_has_room()
    {
        await JoinAsync();
        _cluster.SetReplicas(Workload, 3);
        await _cluster.TickAsync();
        // An m5.large fits three 500m pods; the fourth waits.
        _cluster.SetReplicas(Workload, 4);
        await _cluster.TickAsync();

        var pods = await WorkloadPodsAsync();
        Assert.Equal(4, pods.Count);
        var pending = Assert.Single(pods, p => p.Spec.NodeName is null);
        Assert.Equal("Pending", pending.Status.Phase);
        Assert.Equal(1, _cluster.PendingPods);
    }

    [Fact]
    public async Task Scaling_a_workload_down_deletes_its_pods_pending_ones_first()
    {
        await JoinAsync();
        _cluster.SetReplicas(Workload, 4);
        await _cluster.TickAsync();
        Assert.Single(await WorkloadPodsAsync(), p => p.Spec.NodeName is null);

        _cluster.SetReplicas(Workload, 3);
        await _cluster.TickAsync();
        var pods = await WorkloadPodsAsync();
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.NotNull(p.Spec.NodeName));

        _cluster.SetReplicas(Workload, 0);
        await _cluster.TickAsync();
        Assert.Empty(await WorkloadPodsAsync());
    }

    [Fact]
    public async Task A_terminated_instances_node_is_deleted_and_its_pods_come_back_pending()
    {
        var node = await JoinAsync();
        var before = (await WorkloadPodsAsync()).Select(p => p.Metadata.Name).ToList();
        var instanceId = node.Metadata.Annotations[SimulatedKubeCluster.InstanceAnnotation];

        await _cloud.TerminateAsync(Region, instanceId);
        await _cluster.TickAsync();

        Assert.Empty((await _kube.CoreV1.ListNodeAsync()).Items);
        var pods = await WorkloadPodsAsync();
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Null(p.Spec.NodeName));
        Assert.Empty(pods.Select(p => p.Metadata.Name).Intersect(before));
        Assert.Equal((0, 0, 2), (_cluster.Nodes, _cluster.BoundPods, _cluster.PendingPods));
    }

    [Fact]
    public async Task A_node_deleted_through_the_api_server_is_not_registered_again_while_its_instance_runs()
    {
        var node = await JoinAsync();

        // What the agent does at the service's DeleteNode command; the instance is terminated after.
        await _kube.CoreV1.DeleteNodeAsync(node.Metadata.Name);
        await _cluster.TickAsync();

        Assert.Empty((await _kube.CoreV1.ListNodeAsync()).Items);
        Assert.All(await WorkloadPodsAsync(), p => Assert.Null(p.Spec.NodeName));
    }

    [Fact]
    public async Task A_restarted_simulation_on_the_same_api_server_creates_no_duplicates()
    {
        var node = await JoinAsync();
        await _cluster.TickAsync();
        var pods = (await WorkloadPodsAsync()).Select(p => (p.Metadata.Name, p.Spec.NodeName)).ToList();

        var restarted = NewCluster();
        await restarted.TickAsync();
        await restarted.TickAsync();

        Assert.Equal(node.Metadata.Name, Assert.Single((await _kube.CoreV1.ListNodeAsync()).Items).Metadata.Name);
        Assert.Equal(pods, (await WorkloadPodsAsync()).Select(p => (p.Metadata.Name, p.Spec.NodeName)).ToList());
        Assert.Equal((1, 2, 0), (restarted.Nodes, restarted.BoundPods, restarted.PendingPods));
    }

    [Fact]
    public async Task The_default_objects_are_created_once_and_validate_against_the_crds()
    {
        var cloud = new TestCloud(_time) { NodeClasses = new NodeClassType("karpenter.k8s.aws", "EC2NodeClass") };
        var settings = new SimulatedClusterSettings { DefaultObjects = true };
        await NewCluster(settings, cloud).TickAsync();
        await NewCluster(settings, cloud).TickAsync();

        var pools = (JsonElement)await _kube.CustomObjects.ListClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools");
        Assert.Equal(["default", "on-demand"], pools.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("metadata").GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        var classes = (JsonElement)await _kube.CustomObjects.ListClusterCustomObjectAsync("karpenter.k8s.aws", "v1", "ec2nodeclasses");
        Assert.Equal("default", Assert.Single(classes.GetProperty("items").EnumerateArray()).GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal("node-agent", Assert.Single((await _kube.AppsV1.ListDaemonSetForAllNamespacesAsync()).Items).Metadata.Name);
        Assert.Equal(["payments", "web"], (await _kube.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync()).Items.Select(b => b.Metadata.Name).Order(StringComparer.Ordinal));
        // The default workload mix: every workload with replicas at the curve's start has its pods, once.
        var expected = DefaultWorkloadPodsAtStart();
        Assert.Equal(expected, (await _kube.CoreV1.ListPodForAllNamespacesAsync(labelSelector: SimulatedKubeCluster.WorkloadLabel)).Items.Count);
    }

    private int DefaultWorkloadPodsAtStart()
    {
        var cluster = new SimulatedKubeCluster(Registration, _kube, _cloud, _time, new SimulatedClusterSettings { DefaultObjects = true });
        return cluster.Workloads.Sum(w => cluster.DesiredReplicas(w.Name));
    }

    [Fact]
    public async Task With_daemonset_pods_each_node_runs_one_pod_of_each_daemonset_it_fits()
    {
        var settings = new SimulatedClusterSettings { DefaultObjects = false, DaemonSetPods = true };
        _cluster = NewCluster(settings);
        var daemonSet = new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "node-agent", NamespaceProperty = "kube-system" },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "node-agent" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "node-agent" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "agent", Image = "pause" }], Tolerations = [new V1Toleration { OperatorProperty = "Exists" }] },
                },
            },
        };
        await _kube.AppsV1.CreateNamespacedDaemonSetAsync(daemonSet, "kube-system");

        var node = await JoinAsync();
        await _cluster.TickAsync();

        var daemon = Assert.Single((await _kube.CoreV1.ListNamespacedPodAsync("kube-system")).Items);
        Assert.Equal(node.Metadata.Name, daemon.Spec.NodeName);
        Assert.Equal("Running", daemon.Status.Phase);
        Assert.Equal("DaemonSet", Assert.Single(daemon.Metadata.OwnerReferences).Kind);

        // Draining for a disruption (the agent taints first): an evicted daemon is not put back.
        var patch = new V1Patch("""{"spec":{"taints":[{"key":"karpenter.sh/disrupted","effect":"NoSchedule"}]}}""", V1Patch.PatchType.MergePatch);
        await _kube.CoreV1.PatchNodeAsync(patch, node.Metadata.Name);
        await _kube.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = daemon.Metadata.Name, NamespaceProperty = "kube-system" } }, daemon.Metadata.Name, "kube-system");
        await _cluster.TickAsync();
        Assert.Empty((await _kube.CoreV1.ListNamespacedPodAsync("kube-system")).Items);
    }
}
