using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>
/// A cluster's node classes reach its launches: each NodeClaim's launch carries the node class its NodePool's
/// nodeClassRef names; a NodePool whose node class the cluster lacks launches nothing and says why; a provider
/// without node classes (the simulated cloud) ignores them.
/// </summary>
public sealed class NodeClassTests
{
    private const string NodeClassJson = """
        {"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"default"},
         "spec":{"role":"KarpoNodeRole","amiSelectorTerms":[{"alias":"al2023@latest"}],
                 "subnetSelectorTerms":[{"tags":{"karpenter.sh/discovery":"nc"}}],"securityGroupSelectorTerms":[{"tags":{"karpenter.sh/discovery":"nc"}}]}}
        """;

    [Fact]
    public async Task The_node_class_a_NodePool_names_is_handed_to_every_launch_of_its_claims()
    {
        var (service, provider) = await StartAsync();
        await using var _ = service;
        var cluster = await RegisterAsync(service, "nc-launch",
            [new ClusterObject(ObjectKind.NodeClass, NodeClassJson), new ClusterObject(ObjectKind.NodePool, NodePool()), .. Pods("web", 8).Select(Object)]);

        var report = await cluster.ProvisionAsync();

        Assert.True(report.NodeClaimsCreated > 0);
        Assert.Equal(report.NodeClaimsCreated, provider.Launches.Count);
        Assert.All(provider.Launches, l => Assert.Equal(new NodeClassDocument("karpenter.k8s.aws/v1", "EC2NodeClass", "default", NodeClassJson), l.NodeClass));
        Assert.All(await cluster.GetNodeClaimsAsync(), c => Assert.Equal(NodeClaimPhase.Launched, c.Phase));
        Assert.Equal([new NodeClassManifest("karpenter.k8s.aws/v1", "EC2NodeClass", "default", NodeClassJson)], await cluster.GetNodeClassesAsync());
    }

    [Fact]
    public async Task A_NodePool_whose_node_class_is_missing_launches_nothing_and_its_pods_and_status_say_why_until_it_arrives()
    {
        var (service, provider) = await StartAsync();
        await using var _ = service;
        var cluster = await RegisterAsync(service, "nc-missing", [new ClusterObject(ObjectKind.NodePool, NodePool()), .. Pods("api", 3).Select(Object)]);

        var report = await cluster.ProvisionAsync();

        Assert.Equal(0, report.NodeClaimsCreated);
        Assert.Empty(provider.Launches);
        Assert.Empty(await cluster.GetNodeClaimsAsync());
        var pending = await cluster.GetPendingPodsAsync();
        Assert.Equal(3, pending.Count);
        Assert.All(pending, p => Assert.Equal(
            "NodePool default launches nothing: its nodeClassRef names EC2NodeClass default, which this cluster does not have (NodeClassReady=False)", p.Reason));
        var pool = Assert.Single(await cluster.GetNodePoolsAsync());
        Assert.True(pool.Valid);
        Assert.False(pool.NodeClassReady);
        Assert.Contains("EC2NodeClass default", pool.NodeClassError, StringComparison.Ordinal);

        // The agent sends the node class: the NodePool is ready and its pods launch with it.
        var added = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [new ObjectDelta(1, DeltaType.Upsert, ObjectKind.NodeClass, null, "default", NodeClassJson)]));
        Assert.Empty(added.Errors);
        report = await cluster.ProvisionAsync();

        Assert.True(report.NodeClaimsCreated > 0);
        Assert.All(provider.Launches, l => Assert.Equal("default", l.NodeClass?.Name));
        Assert.True(Assert.Single(await cluster.GetNodePoolsAsync()).NodeClassReady);

        // Deleted again: the NodePool launches nothing more.
        var deleted = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [new ObjectDelta(2, DeltaType.Delete, ObjectKind.NodeClass, null, "default")]));
        Assert.Empty(deleted.Errors);
        Assert.Empty(await cluster.GetNodeClassesAsync());
        Assert.False(Assert.Single(await cluster.GetNodePoolsAsync()).NodeClassReady);
    }

    [Fact]
    public async Task Pods_another_NodePool_can_hold_still_launch_there_and_what_stays_unplaced_names_the_blocked_NodePool()
    {
        var (service, provider) = await StartAsync();
        await using var _ = service;
        var spotOnly = NodePool("spot", capacityTypes: "\"spot\"")
            .Replace("\"kind\": \"EC2NodeClass\", \"name\": \"default\"", "\"kind\": \"EC2NodeClass\", \"name\": \"spot-class\"", StringComparison.Ordinal);
        var other = NodeClassJson.Replace("\"name\":\"default\"", "\"name\":\"spot-class\"", StringComparison.Ordinal);
        var onDemandPod = Pod("ledger-0", nodeSelector: new Dictionary<string, string> { ["karpenter.sh/capacity-type"] = "on-demand" });
        var cluster = await RegisterAsync(service, "nc-other",
            [new ClusterObject(ObjectKind.NodeClass, other), new ClusterObject(ObjectKind.NodePool, NodePool()), new ClusterObject(ObjectKind.NodePool, spotOnly),
             .. Pods("web", 2).Select(Object), Object(onDemandPod)]);

        var report = await cluster.ProvisionAsync();

        Assert.True(report.NodeClaimsCreated > 0);
        Assert.All(await cluster.GetNodeClaimsAsync(), c => Assert.Equal("spot", c.NodePool));
        Assert.All(provider.Launches, l => Assert.Equal("spot-class", l.NodeClass?.Name));
        var ledger = Assert.Single(await cluster.GetPendingPodsAsync(), p => p.NodeClaim is null);
        Assert.Equal("ledger-0", ledger.Name);
        Assert.Contains("NodePool default launches nothing: its nodeClassRef names EC2NodeClass default", ledger.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replacement_into_a_NodePool_whose_node_class_is_gone_is_not_launched_and_the_disruption_says_so()
    {
        var (service, provider) = await StartAsync();
        await using var _ = service;
        var pods = Pods("web", 2).ToList();
        var cluster = await RegisterAsync(service, "nc-replace",
            [new ClusterObject(ObjectKind.NodeClass, NodeClassJson), new ClusterObject(ObjectKind.NodePool, NodePool()), .. pods.Select(Object)]);
        await cluster.ProvisionAsync();
        var claim = Assert.Single(await cluster.GetNodeClaimsAsync());
        var node = NodeFor(claim);
        var seq = 0L;
        var deltas = new List<ObjectDelta> { Upsert(++seq, node) };
        foreach (var pod in pods)
        {
            pod.Spec.NodeName = node.Metadata.Name;
            pod.Status.Phase = "Running";
            deltas.Add(Upsert(++seq, pod));
        }

        deltas.Add(new ObjectDelta(++seq, DeltaType.Delete, ObjectKind.NodeClass, null, "default"));
        Assert.Empty((await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", deltas))).Errors);
        var launches = provider.Launches.Count;

        var status = await cluster.DisruptAsync(new DisruptionRequest([node.Metadata.Name], "Drifted", Replace: true));

        Assert.Equal("failed", status.State, ignoreCase: true);
        Assert.Equal("only 0 of 1 replacement NodeClaims could be created", status.Message);
        Assert.Equal(launches, provider.Launches.Count);
        Assert.Equal(NodeClaimPhase.Initialized, Assert.Single(await cluster.GetNodeClaimsAsync()).Phase);
    }

    [Fact]
    public async Task A_node_class_without_a_name_is_refused_and_located_and_the_rest_of_the_snapshot_applies()
    {
        var (service, _) = await StartAsync();
        await using var __ = service;
        await service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(
            Registration("nc-bad") with { Provider = NodeClassRecordingProvider.ProviderName }, Sha256("token-nc-bad"));
        var cluster = service.Grains.GetGrain<IClusterGrain>("nc-bad");

        var result = await cluster.ResyncAsync(new ClusterSnapshot("session-1", 0,
            [new ClusterObject(ObjectKind.NodeClass, """{"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{},"spec":{}}"""),
             new ClusterObject(ObjectKind.NodeClass, """{"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"x"},"metadata":{"name":"y"},"spec":{}}"""),
             new ClusterObject(ObjectKind.NodeClass, NodeClassJson)]));

        Assert.Equal(2, result.Errors.Count);
        Assert.Equal("objects[0] (NodeClass): metadata.name is required", result.Errors[0]);
        Assert.StartsWith("objects[1] (NodeClass): could not be read (", result.Errors[1], StringComparison.Ordinal);
        Assert.Equal(1, result.Applied);
        Assert.Equal(["default"], (await cluster.GetNodeClassesAsync()).Select(n => n.Name));
        var misnamed = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [new ObjectDelta(1, DeltaType.Upsert, ObjectKind.NodeClass, null, "other", NodeClassJson)]));
        Assert.Equal(["sequence 1 (NodeClass other): the delta names \"other\" but its object is \"default\"; refused, nothing stored"], misnamed.Errors);
    }

    [Fact]
    public async Task The_simulated_provider_launches_whatever_node_class_a_NodePool_names()
    {
        await using var service = await ServiceCluster.StartAsync();
        // The NodePool names EC2NodeClass default; the cluster sends none.
        var cluster = await TestObjects.RegisterAsync(service.Grains, "nc-sim", Pods("web", 4));

        var report = await cluster.ProvisionAsync();

        Assert.True(report.NodeClaimsCreated > 0);
        Assert.True(Assert.Single(await cluster.GetNodePoolsAsync()).NodeClassReady);
    }

    private static async Task<(ServiceCluster Service, NodeClassRecordingProvider Provider)> StartAsync()
    {
        NodeClassRecordingProvider? provider = null;
        var service = await ServiceCluster.StartAsync(services: s => s.AddSingleton<ICloudProvider>(sp =>
            provider ??= new NodeClassRecordingProvider(sp.GetRequiredService<Karpenter.Orleans.CloudProviders.Simulated.SimulatedCloudProvider>())));
        // The provider is made by the silo's container (the registry hands it out behind its metering decorator):
        // resolving the registry once makes it, and the factory above keeps the instance for the test.
        var registry = service.Cluster.GetSiloServiceProvider(service.Cluster.Silos[0].SiloAddress).GetRequiredService<ICloudProviders>();
        _ = registry.Get(NodeClassRecordingProvider.ProviderName);
        return (service, provider ?? throw new InvalidOperationException("the silo did not make the recording provider"));
    }

    private static async Task<IClusterGrain> RegisterAsync(ServiceCluster service, string clusterId, IReadOnlyList<ClusterObject> objects)
    {
        await service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(
            Registration(clusterId) with { Provider = NodeClassRecordingProvider.ProviderName }, Sha256("token-" + clusterId));
        var cluster = service.Grains.GetGrain<IClusterGrain>(clusterId);
        var result = await cluster.ResyncAsync(new ClusterSnapshot("session-1", 0, objects));
        Assert.Empty(result.Errors);
        return cluster;
    }
}
