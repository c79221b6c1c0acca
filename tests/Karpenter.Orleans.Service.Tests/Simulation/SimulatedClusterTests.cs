using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace Karpenter.Orleans.Service.Tests.Simulation;

/// <summary>The simulated cluster as an agent (snapshot, deltas, resync) and as a cluster (nodes join and leave, pods bind).</summary>
public sealed class SimulatedClusterTests
{
    private const string ClusterId = "sim-test";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingClusterGrain _grain = new();
    private readonly TestCloud _cloud;

    public SimulatedClusterTests() => _cloud = new TestCloud(_time);

    private SimulatedCluster NewCluster(bool defaults = false, double scale = 1, int maxBatch = 500) => new(
        new ClusterRegistration(ClusterId, "test", TestCloud.Region, "111111111111"),
        _grain,
        _cloud,
        _time,
        new SimulatedClusterSettings { DefaultObjects = defaults, Scale = scale, MaxDeltasPerBatch = maxBatch });

    private static SimulatedWorkload Workload(string name, int replicas, string cpu = "500m", string memory = "512Mi", Action<V1PodSpec>? shape = null)
    {
        var spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "app",
                    Image = "pause",
                    Resources = new V1ResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory) },
                    },
                },
            ],
        };
        shape?.Invoke(spec);
        return new SimulatedWorkload(name, spec, replicas);
    }

    private static List<V1Pod> Pods(ClusterSnapshot snapshot) =>
        snapshot.Objects.Where(o => o.Kind == ObjectKind.Pod).Select(o => KubernetesJson.Deserialize<V1Pod>(o.Json)).ToList();

    private List<V1Node> NodeUpserts() =>
        _grain.AllDeltas.Where(d => d.Kind == ObjectKind.Node && d.Type == DeltaType.Upsert).Select(d => KubernetesJson.Deserialize<V1Node>(d.Json!)).ToList();

    [Fact]
    public async Task On_a_provider_with_EC2NodeClasses_the_snapshot_carries_the_one_the_default_NodePools_name()
    {
        _cloud.NodeClasses = new NodeClassType("karpenter.k8s.aws", "EC2NodeClass");
        var withClasses = NewCluster(defaults: true);
        await withClasses.TickAsync();
        _cloud.NodeClasses = null;
        var without = NewCluster(defaults: true);
        await without.TickAsync();

        var sent = Assert.Single(_grain.Snapshots[0].Objects, o => o.Kind == ObjectKind.NodeClass);
        var nodeClass = System.Text.Json.Nodes.JsonNode.Parse(sent.Json)!;
        Assert.Equal(("karpenter.k8s.aws/v1", "EC2NodeClass", "default"),
            (nodeClass["apiVersion"]!.GetValue<string>(), nodeClass["kind"]!.GetValue<string>(), nodeClass["metadata"]!["name"]!.GetValue<string>()));
        Assert.Equal("*", nodeClass["spec"]!["subnetSelectorTerms"]![0]!["tags"]![$"kubernetes.io/cluster/{ClusterId}"]!.GetValue<string>());
        // Every default NodePool names it.
        var pools = _grain.Snapshots[0].Objects.Where(o => o.Kind == ObjectKind.NodePool).Select(o => ManifestLoader.LoadText("pool", o.Json).NodePools[0]).ToList();
        Assert.NotEmpty(pools);
        Assert.All(pools, p => Assert.Equal(new NodeClassReference("karpenter.k8s.aws", "EC2NodeClass", "default"), p.NodeClassRef));
        // The simulated cloud reads none, and gets none.
        Assert.DoesNotContain(_grain.Snapshots[1].Objects, o => o.Kind == ObjectKind.NodeClass);
    }

    [Fact]
    public async Task First_tick_sends_a_snapshot_then_deltas_with_consecutive_sequence_numbers()
    {
        var cluster = NewCluster();
        cluster.AddWorkload(Workload("web", 3));

        await cluster.TickAsync();

        var snapshot = Assert.Single(_grain.Snapshots);
        Assert.Equal(cluster.AgentSession, snapshot.AgentSession);
        Assert.Equal(cluster.LastSequence, snapshot.Sequence);
        var pods = Pods(snapshot);
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p =>
        {
            Assert.Equal("default", p.Metadata.NamespaceProperty);
            Assert.StartsWith("web-", p.Metadata.Name, StringComparison.Ordinal);
            Assert.Null(p.Spec.NodeName);
            Assert.Equal("Pending", p.Status.Phase);
            Assert.Equal("500m", p.Spec.Containers[0].Resources.Requests["cpu"].ToString());
            Assert.Equal("web", p.Metadata.Labels["app"]);
        });
        Assert.Equal(3, cluster.PendingPods);

        cluster.SetReplicas("web", 5);
        await cluster.TickAsync();
        cluster.SetReplicas("web", 4);
        await cluster.TickAsync();

        Assert.Single(_grain.Snapshots);
        var deltas = _grain.AllDeltas.ToList();
        Assert.Equal(3, deltas.Count);
        Assert.Equal(Enumerable.Range(1, 3).Select(i => snapshot.Sequence + i), deltas.Select(d => d.Sequence));
        Assert.All(_grain.Batches, b => Assert.Equal(cluster.AgentSession, b.AgentSession));
        Assert.Equal([DeltaType.Upsert, DeltaType.Upsert, DeltaType.Delete], deltas.Select(d => d.Type));
        var created = KubernetesJson.Deserialize<V1Pod>(deltas[0].Json!);
        Assert.Equal(deltas[0].Name, created.Metadata.Name);
        Assert.Equal("default", deltas[0].Namespace);
        // Scale-down removes the newest pod first, as a ReplicaSet does.
        Assert.Equal(deltas[1].Name, deltas[2].Name);
        Assert.Null(deltas[2].Json);
        Assert.Empty(_grain.ProtocolErrors);
        Assert.Equal(4, cluster.PendingPods);
    }

    [Fact]
    public async Task A_resync_request_is_answered_with_a_full_snapshot_in_the_same_session()
    {
        var cluster = NewCluster();
        cluster.AddWorkload(Workload("web", 2));
        await cluster.TickAsync();

        _grain.AskResyncOnNextBatch = true;
        cluster.SetReplicas("web", 6);
        await cluster.TickAsync();

        Assert.Equal(2, _grain.Snapshots.Count);
        var second = _grain.Snapshots[1];
        Assert.Equal(cluster.AgentSession, second.AgentSession);
        Assert.Equal(cluster.LastSequence, second.Sequence);
        Assert.Equal(6, Pods(second).Count);

        cluster.SetReplicas("web", 7);
        await cluster.TickAsync();
        Assert.Equal(second.Sequence + 1, Assert.Single(_grain.Batches).Deltas.Single().Sequence);
        Assert.Empty(_grain.ProtocolErrors);
    }

    [Fact]
    public async Task A_lost_reply_resends_the_same_deltas_which_the_grain_ignores_as_duplicates()
    {
        var cluster = NewCluster();
        cluster.AddWorkload(Workload("web", 1));
        await cluster.TickAsync();

        _grain.FailNextBatch = true;
        _grain.ApplyBeforeFailing = true;
        cluster.SetReplicas("web", 3);
        await Assert.ThrowsAsync<TimeoutException>(() => cluster.TickAsync());
        await cluster.TickAsync();

        Assert.Equal(2, _grain.Duplicates);
        Assert.Empty(_grain.ProtocolErrors);
        Assert.Single(_grain.Snapshots);
        Assert.Equal(cluster.LastSequence, _grain.AllDeltas.Max(d => d.Sequence));
    }

    [Fact]
    public async Task Large_changes_go_out_in_batches_of_the_configured_size()
    {
        var cluster = NewCluster(maxBatch: 10);
        cluster.AddWorkload(Workload("web", 1));
        await cluster.TickAsync();

        cluster.SetReplicas("web", 26);
        await cluster.TickAsync();

        Assert.Equal([10, 10, 5], _grain.Batches.Select(b => b.Deltas.Count));
        Assert.Empty(_grain.ProtocolErrors);
    }

    [Fact]
    public async Task Default_objects_parse_as_NodePools_and_a_DaemonSet()
    {
        var cluster = NewCluster(defaults: true);
        await cluster.TickAsync();

        var snapshot = Assert.Single(_grain.Snapshots);
        var pools = snapshot.Objects.Where(o => o.Kind == ObjectKind.NodePool)
            .Select(o => Assert.Single(ManifestLoader.LoadText("nodepool.json", o.Json).NodePools))
            .ToDictionary(p => p.Name);
        Assert.Equal(["default", "on-demand"], pools.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ConsolidationPolicy.WhenEmptyOrUnderutilized, pools["default"].Disruption.ConsolidationPolicy);
        Assert.Equal(TimeSpan.FromSeconds(30), pools["default"].Disruption.ConsolidateAfter);
        Assert.Equal("2000", pools["default"].Limits["cpu"]);
        Assert.Equal(10, pools["on-demand"].Weight);
        Assert.Single(pools["on-demand"].Taints);

        var daemonSet = KubernetesJson.Deserialize<V1DaemonSet>(Assert.Single(snapshot.Objects, o => o.Kind == ObjectKind.DaemonSet).Json);
        Assert.Equal("100m", daemonSet.Spec.Template.Spec.Containers[0].Resources.Requests["cpu"].ToString());
        Assert.Equal("128Mi", daemonSet.Spec.Template.Spec.Containers[0].Resources.Requests["memory"].ToString());

        var workloads = cluster.Workloads.Select(w => w.Name).ToList();
        Assert.Contains("web", workloads);
        Assert.Contains("worker", workloads);
        Assert.True(cluster.PendingPods > 0);
    }

    [Fact]
    public async Task A_running_instance_joins_as_a_ready_node_with_its_claims_labels_and_taints()
    {
        var cluster = NewCluster();
        var tags = new Dictionary<string, string>
        {
            ["karpo.io/node-labels"] = """{"team":"payments","karpenter.sh/nodepool":"default"}""",
            ["karpo.io/node-taints"] = """["dedicated=payments:NoSchedule","example.com/drain:NoExecute"]""",
        };
        var instance = _cloud.Add(ClusterId, "m6g.large", "test-1b", "spot", CloudInstanceState.Pending, tags: tags);

        await cluster.TickAsync();
        Assert.Equal(0, cluster.Nodes);

        _cloud.SetState(instance.Id, CloudInstanceState.Running);
        await cluster.TickAsync();

        Assert.Equal(1, cluster.Nodes);
        var node = Assert.Single(NodeUpserts());
        Assert.Equal(instance.ProviderId, node.Spec.ProviderID);
        Assert.StartsWith("ip-10-", node.Metadata.Name, StringComparison.Ordinal);
        var labels = node.Metadata.Labels;
        Assert.Equal("m6g.large", labels["node.kubernetes.io/instance-type"]);
        Assert.Equal("arm64", labels["kubernetes.io/arch"]);
        Assert.Equal("m6g", labels["karpenter.k8s.aws/instance-family"]);
        Assert.Equal("test-1b", labels["topology.kubernetes.io/zone"]);
        Assert.Equal(TestCloud.Region, labels["topology.kubernetes.io/region"]);
        Assert.Equal("spot", labels["karpenter.sh/capacity-type"]);
        Assert.Equal("default", labels["karpenter.sh/nodepool"]);
        Assert.Equal(node.Metadata.Name, labels["kubernetes.io/hostname"]);
        Assert.Equal("true", labels["karpenter.sh/registered"]);
        Assert.Equal("payments", labels["team"]);
        Assert.Collection(node.Spec.Taints,
            t => Assert.Equal(("dedicated", "payments", "NoSchedule"), (t.Key, t.Value, t.Effect)),
            t => Assert.Equal(("example.com/drain", null, "NoExecute"), (t.Key, t.Value, t.Effect)));
        Assert.Equal("1930m", node.Status.Allocatable["cpu"].ToString());
        Assert.Equal("2", node.Status.Capacity["cpu"].ToString());
        Assert.Contains(node.Status.Conditions, c => c.Type == "Ready" && c.Status == "True");
    }

    [Fact]
    public async Task The_scheduler_binds_pods_that_fit_and_records_how_long_they_waited()
    {
        var cluster = NewCluster();
        cluster.AddWorkload(Workload("api", 5, cpu: "500m"));
        await cluster.TickAsync();
        Assert.Equal(5, cluster.PendingPods);

        _time.Advance(TimeSpan.FromSeconds(42));
        _cloud.Add(ClusterId, "m5.large");
        await cluster.TickAsync();

        // 1930m allocatable takes three 500m pods; two wait for more capacity.
        Assert.Equal(3, cluster.BoundPods);
        Assert.Equal(2, cluster.PendingPods);
        Assert.Equal(Enumerable.Repeat(TimeSpan.FromSeconds(42), 3), cluster.BindLatencies);
        var nodeName = Assert.Single(NodeUpserts()).Metadata.Name;
        var bound = _grain.AllDeltas
            .Where(d => d.Kind == ObjectKind.Pod && d.Type == DeltaType.Upsert)
            .Select(d => KubernetesJson.Deserialize<V1Pod>(d.Json!))
            .ToList();
        Assert.Equal(3, bound.Count);
        Assert.All(bound, p =>
        {
            Assert.Equal(nodeName, p.Spec.NodeName);
            Assert.Equal("Running", p.Status.Phase);
        });

        _time.Advance(TimeSpan.FromSeconds(8));
        _cloud.Add(ClusterId, "m5.large", "test-1b");
        await cluster.TickAsync();
        Assert.Equal(5, cluster.BoundPods);
        Assert.Equal(TimeSpan.FromSeconds(50), cluster.BindLatencies[^1]);
        Assert.Empty(_grain.ProtocolErrors);
    }

    [Fact]
    public async Task The_scheduler_respects_taints_and_node_selectors()
    {
        var cluster = NewCluster();
        cluster.AddWorkload(Workload("plain", 1, cpu: "100m"));
        cluster.AddWorkload(Workload("tolerant", 1, cpu: "100m", shape: s =>
            s.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "gpu", Effect = "NoSchedule" }]));
        cluster.AddWorkload(Workload("arm", 1, cpu: "100m", shape: s =>
            s.NodeSelector = new Dictionary<string, string> { ["kubernetes.io/arch"] = "arm64" }));
        _cloud.Add(ClusterId, "m5.large", tags: new Dictionary<string, string> { ["karpo.io/node-taints"] = """["dedicated=gpu:NoSchedule"]""" });

        await cluster.TickAsync();

        var tainted = KubernetesJson.Deserialize<V1Node>(Assert.Single(_grain.Snapshots.Single().Objects, o => o.Kind == ObjectKind.Node).Json).Metadata.Name;
        Assert.Equal(1, cluster.BoundPods);
        var podUpserts = _grain.Snapshots.Single().Objects.Where(o => o.Kind == ObjectKind.Pod)
            .Select(o => KubernetesJson.Deserialize<V1Pod>(o.Json))
            .ToDictionary(p => p.Metadata.Labels["app"]);
        Assert.Equal(tainted, podUpserts["tolerant"].Spec.NodeName);
        Assert.Null(podUpserts["plain"].Spec.NodeName);
        Assert.Null(podUpserts["arm"].Spec.NodeName);

        _cloud.Add(ClusterId, "m6g.large");
        await cluster.TickAsync();

        Assert.Equal(3, cluster.BoundPods);
        var armNode = NodeUpserts().Single(n => n.Metadata.Labels["kubernetes.io/arch"] == "arm64").Metadata.Name;
        var binds = _grain.AllDeltas.Where(d => d.Kind == ObjectKind.Pod).Select(d => KubernetesJson.Deserialize<V1Pod>(d.Json!)).ToList();
        Assert.All(binds, p => Assert.Equal(armNode, p.Spec.NodeName));
        Assert.Equal(2, binds.Count);
    }

    [Theory]
    [InlineData(CloudInstanceState.ShuttingDown)]
    [InlineData(CloudInstanceState.Terminated)]
    public async Task A_node_whose_instance_stops_leaves_and_its_pods_come_back_pending_with_new_names(CloudInstanceState state)
    {
        var cluster = NewCluster();
        cluster.AddWorkload(Workload("api", 3, cpu: "500m"));
        var instance = _cloud.Add(ClusterId, "m5.large");
        await cluster.TickAsync();
        Assert.Equal(3, cluster.BoundPods);
        var before = Pods(_grain.Snapshots.Single()).Select(p => p.Metadata.Name).ToHashSet();

        _cloud.SetState(instance.Id, state);
        await cluster.TickAsync();

        Assert.Equal(0, cluster.Nodes);
        Assert.Equal(0, cluster.BoundPods);
        Assert.Equal(3, cluster.PendingPods);
        var deltas = _grain.AllDeltas.ToList();
        Assert.Single(deltas, d => d.Kind == ObjectKind.Node && d.Type == DeltaType.Delete);
        Assert.Equal(before, deltas.Where(d => d.Kind == ObjectKind.Pod && d.Type == DeltaType.Delete).Select(d => d.Name).ToHashSet());
        var recreated = deltas.Where(d => d.Kind == ObjectKind.Pod && d.Type == DeltaType.Upsert).Select(d => KubernetesJson.Deserialize<V1Pod>(d.Json!)).ToList();
        Assert.Equal(3, recreated.Count);
        Assert.All(recreated, p =>
        {
            Assert.DoesNotContain(p.Metadata.Name, before);
            Assert.Null(p.Spec.NodeName);
        });
        // The node's pods are deleted before the node, so the grain never sees pods on a missing node.
        var nodeDelete = deltas.FindIndex(d => d.Kind == ObjectKind.Node);
        Assert.All(deltas.Take(nodeDelete), d => Assert.Equal(DeltaType.Delete, d.Type));
    }

    [Fact]
    public async Task An_instance_the_cloud_no_longer_lists_removes_its_node()
    {
        var cluster = NewCluster();
        var instance = _cloud.Add(ClusterId);
        _cloud.Add("another-cluster");
        await cluster.TickAsync();
        Assert.Equal(1, cluster.Nodes);

        _cloud.Remove(instance.Id);
        await cluster.TickAsync();

        Assert.Equal(0, cluster.Nodes);
    }

    [Fact]
    public async Task A_cloud_failure_fails_the_tick_without_losing_recorded_changes()
    {
        var cluster = NewCluster();
        cluster.AddWorkload(Workload("web", 2));
        await cluster.TickAsync();

        cluster.SetReplicas("web", 4);
        _cloud.FailList = true;
        await Assert.ThrowsAsync<CloudProviderException>(() => cluster.TickAsync());
        _cloud.FailList = false;
        await cluster.TickAsync();

        Assert.Equal(4, cluster.PendingPods);
        Assert.Equal(2, _grain.AllDeltas.Count());
        Assert.Empty(_grain.ProtocolErrors);
    }

    [Fact]
    public async Task RemoveAllWorkloads_deletes_every_pod_on_the_next_tick()
    {
        var cluster = NewCluster(defaults: true);
        await cluster.TickAsync();
        var pods = Pods(_grain.Snapshots.Single()).Count;
        Assert.True(pods > 0);

        cluster.RemoveAllWorkloads();
        await cluster.TickAsync();

        Assert.Equal(0, cluster.PendingPods + cluster.BoundPods);
        Assert.Equal(pods, _grain.AllDeltas.Count(d => d.Kind == ObjectKind.Pod && d.Type == DeltaType.Delete));
    }

    [Fact]
    public async Task Workloads_follow_the_curve_as_simulated_time_passes()
    {
        var period = TimeSpan.FromMinutes(10);
        var cluster = new SimulatedCluster(
            new ClusterRegistration(ClusterId, "test", TestCloud.Region, "111111111111"),
            _grain,
            _cloud,
            _time,
            new SimulatedClusterSettings { DefaultObjects = false, WorkloadPeriod = period });
        cluster.AddWorkload(new SimulatedWorkload("web", Workload("web", 0).PodSpec, BaseReplicas: 2, Amplitude: 10));

        var counts = new List<int>();
        for (var minute = 0; minute <= 10; minute++)
        {
            await cluster.TickAsync();
            counts.Add(cluster.PendingPods);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(2, counts[0]);
        Assert.Equal(12, counts[5]);
        Assert.Equal(2, counts[10]);
        Assert.Equal(counts.Take(6), counts.Take(6).Order());
        Assert.Equal(counts.Skip(5), counts.Skip(5).OrderDescending());
        Assert.Empty(_grain.ProtocolErrors);
    }
}
