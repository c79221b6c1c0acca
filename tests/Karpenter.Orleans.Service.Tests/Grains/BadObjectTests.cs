using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Grains.Clusters;
using Karpenter.Orleans.Scheduling.Provisioning;
using Microsoft.Extensions.DependencyInjection;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Service.Tests.TestSupport;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>
/// One bad object must not stop a cluster: quantities the solver cannot hold are refused where the agent
/// sends them, a delta must name its own object, and a pod the solver still fails on is quarantined and
/// reported once while the rest of the cluster provisions.
/// </summary>
public sealed class BadObjectTests
{
    private const string TooLarge = "is more than the solver can hold";

    /// <summary>A pending pod as an agent serialises it, with quantities written as given.</summary>
    private static string PodJson(string name, string cpu = "500m", string memory = "1Gi", string extraSpec = "") =>
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"" + name + "\", \"namespace\": \"default\", \"labels\": {\"app\": \"" + name + "\"}}, " +
        "\"spec\": {\"containers\": [{\"name\": \"main\", \"image\": \"app\", \"resources\": {\"requests\": {\"cpu\": \"" + cpu + "\", \"memory\": \"" + memory + "\"}}}]" + extraSpec + "}, " +
        "\"status\": {\"phase\": \"Pending\"}}";

    private static ObjectDelta PodDelta(long sequence, string name, string json) => new(sequence, DeltaType.Upsert, ObjectKind.Pod, "default", name, json);

    [Fact]
    public async Task Huge_and_negative_quantities_are_refused_with_a_located_error_and_the_rest_of_the_cluster_provisions()
    {
        await using var service = await ServiceCluster.StartAsync();
        await service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(Registration("huge"), Sha256("token-huge"));
        var cluster = service.Grains.GetGrain<IClusterGrain>("huge");

        var snapshot = await cluster.ResyncAsync(new ClusterSnapshot("session-1", 0,
        [
            new(ObjectKind.NodePool, NodePool()),
            new(ObjectKind.Pod, PodJson("web-0")),
            new(ObjectKind.Pod, PodJson("huge-0", cpu: "99999999999999999999999")),
            new(ObjectKind.Pod, PodJson("minus-cpu", cpu: "-6")),
            new(ObjectKind.Pod, PodJson("minus-memory", memory: "-4Gi")),
            new(ObjectKind.Node, """{"metadata": {"name": "giant"}, "status": {"allocatable": {"cpu": "4", "memory": "1e30"}}}"""),
            new(ObjectKind.DaemonSet, """
                {"metadata": {"name": "agent", "namespace": "kube-system"}, "spec": {"template": {"spec": {"containers": [{"name": "a"}],
                 "overhead": {"cpu": "-1"}}}}}
                """),
        ]));
        var deltas = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1",
        [
            PodDelta(1, "delta-huge", PodJson("delta-huge", cpu: "1e30")),
            PodDelta(2, "web-1", PodJson("web-1")),
        ]));

        Assert.Equal(2, snapshot.Applied);
        Assert.Equal(
        [
            $"objects[2] (Pod default/huge-0): spec.containers[0].resources.requests.cpu: \"99999999999999999999999\" {TooLarge} (cpu at most 9007199254740992m)",
            "objects[3] (Pod default/minus-cpu): spec.containers[0].resources.requests.cpu: \"-6\" is negative",
            "objects[4] (Pod default/minus-memory): spec.containers[0].resources.requests.memory: \"-4Gi\" is negative",
            $"objects[5] (Node giant): status.allocatable.memory: \"1e30\" {TooLarge} (memory at most 8Pi)",
            "objects[6] (DaemonSet kube-system/agent): spec.template.spec.overhead.cpu: \"-1\" is negative",
        ], snapshot.Errors);
        Assert.Equal(1, deltas.Applied);
        Assert.Equal($"sequence 1 (Pod default/delta-huge): spec.containers[0].resources.requests.cpu: \"1e30\" {TooLarge} (cpu at most 9007199254740992m)", Assert.Single(deltas.Errors));
        Assert.Equal(2L, deltas.LastSequence);

        // Nothing refused is stored, and the cluster's other pods provision as if the bad ones never came.
        var report = await cluster.ProvisionAsync();

        Assert.Equal(2, report.PendingPods);
        Assert.Equal(2, report.Scheduled);
        Assert.True(report.NodeClaimsCreated > 0);
        var pending = await cluster.GetPendingPodsAsync();
        Assert.Equal(["web-0", "web-1"], pending.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(pending, p => Assert.NotNull(p.NodeClaim));
        Assert.Equal(0, (await cluster.GetStatusAsync()).Nodes);
    }

    [Fact]
    public async Task Pod_shapes_the_solver_cannot_take_are_refused_at_entry_with_their_field()
    {
        await using var service = await ServiceCluster.StartAsync();
        await service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(Registration("shapes"), Sha256("token-shapes"));
        var cluster = service.Grains.GetGrain<IClusterGrain>("shapes");

        var result = await cluster.ResyncAsync(new ClusterSnapshot("session-1", 0,
        [
            new(ObjectKind.NodePool, NodePool()),
            new(ObjectKind.Pod, PodJson("web-0")),
            new(ObjectKind.Pod, PodJson("no-key", extraSpec: """, "topologySpreadConstraints": [{"maxSkew": 1, "whenUnsatisfiable": "DoNotSchedule"}]""")),
            new(ObjectKind.Pod, PodJson("skew-0", extraSpec: """, "topologySpreadConstraints": [{"maxSkew": 0, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule"}]""")),
            new(ObjectKind.Pod, PodJson("no-term", extraSpec: """, "affinity": {"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 5}]}}""")),
            new(ObjectKind.Pod, PodJson("null-toleration", extraSpec: """, "tolerations": [null]""")),
            new(ObjectKind.Pod, PodJson("null-init", extraSpec: """, "initContainers": [null]""")),
            new(ObjectKind.Pod, PodJson("null-cpu").Replace("\"cpu\": \"500m\"", "\"cpu\": null", StringComparison.Ordinal)),
            new(ObjectKind.Pod, PodJson("fraction", cpu: "39/0m")),
        ]));

        Assert.Equal(
        [
            "objects[2] (Pod default/no-key): spec.topologySpreadConstraints[0].topologyKey: is required",
            "objects[3] (Pod default/skew-0): spec.topologySpreadConstraints[0].maxSkew: \"0\" must be at least 1",
            "objects[4] (Pod default/no-term): spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm: is required",
            "objects[5] (Pod default/null-toleration): spec.tolerations[0]: must be a toleration, not null",
            "objects[6] (Pod default/null-init): spec.initContainers[0]: must be a container, not null",
            "objects[7] (Pod default/null-cpu): spec.containers[0].resources.requests.cpu: must be a quantity, not null",
            "objects[8] (Pod default/fraction): spec.containers[0].resources.requests.cpu: \"(unreadable)\" is not a Kubernetes quantity (like 500m, 2 or 4Gi)",
        ], result.Errors);
        var report = await cluster.ProvisionAsync();
        Assert.Equal((1, 1), (report.PendingPods, report.Scheduled));
    }

    [Fact]
    public async Task A_delta_whose_name_disagrees_with_its_object_is_refused_and_leaves_no_phantom_pod()
    {
        await using var service = await ServiceCluster.StartAsync();
        var cluster = await RegisterAsync(service.Grains, "misnamed", []);

        var result = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1",
        [
            PodDelta(1, "ghost", PodJson("real")),
            new ObjectDelta(2, DeltaType.Upsert, ObjectKind.Pod, "prod", "real", PodJson("real")),
            new ObjectDelta(3, DeltaType.Upsert, ObjectKind.NodePool, null, "other", NodePool("default")),
            PodDelta(4, "web-0", PodJson("web-0")),
        ]));
        var delete = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1",
            [new ObjectDelta(5, DeltaType.Delete, ObjectKind.Pod, "default", "ghost")]));

        Assert.Equal(
        [
            "sequence 1 (Pod default/ghost): the delta names \"default/ghost\" but its object is \"default/real\"; refused, nothing stored",
            "sequence 2 (Pod prod/real): the delta names \"prod/real\" but its object is \"default/real\"; refused, nothing stored",
            "sequence 3 (NodePool other): the delta names \"other\" but its object is \"default\"; refused, nothing stored",
        ], result.Errors);
        Assert.Equal(1, result.Applied);
        Assert.Empty(delete.Errors);
        var pending = Assert.Single(await cluster.GetPendingPodsAsync());
        Assert.Equal("web-0", pending.Name);
        Assert.DoesNotContain(await cluster.GetNodePoolsAsync(), p => p.Name == "other");
    }

    [Fact]
    public async Task A_pod_the_solver_fails_on_is_quarantined_reported_once_and_the_others_still_get_NodeClaims()
    {
        using var quarantines = new QuarantineCounter("quarantine");
        await using var service = await ServiceCluster.StartAsync(services: s => s.AddSingleton<IProvisioningSolver, PoisonedSolver>());
        await service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(Registration("quarantine"), Sha256("token-q"));
        var cluster = service.Grains.GetGrain<IClusterGrain>("quarantine");
        // Every shape known to crash the solver is refused at entry now; a solver that throws for one pod
        // stands for the next bug nobody has found yet.
        var badJson = PodJson("bad", extraSpec: "") .Replace("\"app\": \"bad\"", "\"app\": \"bad\", \"test/poison\": \"true\"", StringComparison.Ordinal);
        var objects = new List<ClusterObject> { new(ObjectKind.NodePool, NodePool()), new(ObjectKind.Pod, badJson) };
        objects.AddRange(Enumerable.Range(0, 4).Select(i => new ClusterObject(ObjectKind.Pod, PodJson($"web-{i}"))));
        Assert.Empty((await cluster.ResyncAsync(new ClusterSnapshot("session-1", 0, objects))).Errors);

        var first = await cluster.ProvisionAsync();

        Assert.Equal(4, first.Scheduled);
        Assert.True(first.NodeClaimsCreated > 0);
        var pending = await cluster.GetPendingPodsAsync();
        Assert.All(pending.Where(p => p.Name != "bad"), p => Assert.NotNull(p.NodeClaim));
        var bad = pending.Single(p => p.Name == "bad");
        Assert.Null(bad.NodeClaim);
        Assert.StartsWith("quarantined: provisioning fails with this pod (", bad.Reason, StringComparison.Ordinal);
        Assert.Equal(1, quarantines.Count);

        // Not retried every tick: more batches, reconciles and a resync with the same pod leave it out.
        objects.Add(new ClusterObject(ObjectKind.Pod, PodJson("web-4")));
        Assert.Empty((await cluster.ResyncAsync(new ClusterSnapshot("session-1", 0, objects))).Errors);
        for (var i = 0; i < 3; i++)
        {
            await cluster.ReconcileAsync();
            await cluster.ProvisionAsync();
        }

        pending = await cluster.GetPendingPodsAsync();
        Assert.Equal(bad.Reason, pending.Single(p => p.Name == "bad").Reason);
        Assert.NotNull(pending.Single(p => p.Name == "web-4").NodeClaim);
        Assert.Equal(1, quarantines.Count);

        // Fixed by the agent, the pod gets a new try and its NodeClaim.
        var fixedPod = PodJson("bad");
        Assert.Empty((await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [PodDelta(1, "bad", fixedPod)]))).Errors);
        var after = await cluster.ProvisionAsync();

        Assert.Equal(1, after.Scheduled);
        Assert.NotNull((await cluster.GetPendingPodsAsync()).Single(p => p.Name == "bad").NodeClaim);
        Assert.Equal(1, quarantines.Count);
    }

    /// <summary>The real solver, except that it throws whenever a pod labelled test/poison is in the input.</summary>
    private sealed class PoisonedSolver : IProvisioningSolver
    {
        public SchedulingResult Solve(SchedulingInput input) =>
            input.Pods.Any(p => p.Metadata.Labels?.ContainsKey("test/poison") == true)
                ? throw new InvalidOperationException("the solver cannot take this pod")
                : ProvisioningSolver.Solve(input, SolverOptions.Default);
    }

    /// <summary>Counts <see cref="MetricNames.PodsQuarantined"/> increments for one cluster (the silos run in this process).</summary>
    private sealed class QuarantineCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentBag<long> _seen = [];

        public QuarantineCounter(string cluster)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument, KarpoTelemetry.PodsQuarantined))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "cluster" && Equals(tag.Value, cluster))
                    {
                        _seen.Add(value);
                    }
                }
            });
            _listener.Start();
        }

        public long Count => _seen.Sum();

        public void Dispose() => _listener.Dispose();
    }
}
