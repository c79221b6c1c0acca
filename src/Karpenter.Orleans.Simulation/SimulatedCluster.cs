using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// One simulated Kubernetes cluster and its agent. It holds pods, nodes, NodePools and a DaemonSet; each
/// <see cref="TickAsync"/> it lets running cloud instances join as nodes (and removes the nodes of
/// instances that went away, recreating their pods as pending), sizes its workloads along
/// <see cref="WorkloadCurve"/>, binds pending pods to nodes with room as kube-scheduler would, and
/// streams every change to its <see cref="IClusterGrain"/> the way the real agent does: a snapshot
/// first (and whenever the grain asks for one), then deltas with sequence numbers rising by one.
/// </summary>
public sealed class SimulatedCluster
{
    private const int MaxLatencySamples = 100_000;

    private static readonly SolverOptions SchedulerOptions = new() { ExistingCapacityOnly = true, Improve = false };

    private readonly IClusterGrain _grain;
    private readonly ICloudProvider _provider;
    private readonly TimeProvider _time;
    private readonly SimulatedClusterSettings _settings;
    private readonly ILogger _logger;
    private readonly DateTimeOffset _start;

    // One tick at a time; the public setters below only touch the workload list under _sync, so a test
    // or an admin call can change workloads while the hosted service ticks.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _sync = new();
    private readonly List<SimulatedWorkload> _workloads = [];
    private readonly Dictionary<string, int> _pinned = new(StringComparer.Ordinal);
    private readonly List<TimeSpan> _latencies = [];

    private readonly Dictionary<string, PodEntry> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1Node> _nodesByInstance = new(StringComparer.Ordinal);
    private readonly List<(string Name, string Json)> _nodePools = [];
    private readonly List<V1DaemonSet> _daemonSets = [];
    private readonly List<ObjectDelta> _outbox = [];

    private InstanceTypeCatalog? _catalog;
    private long _sequence;
    private long _podCounter;
    private bool _resyncNeeded = true;
    private bool _scheduleDirty = true;
    private int _pendingCount;
    private int _boundCount;
    private int _nodeCount;

    public SimulatedCluster(
        ClusterRegistration registration,
        IClusterGrain grain,
        ICloudProvider provider,
        TimeProvider? timeProvider = null,
        SimulatedClusterSettings? settings = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(grain);
        ArgumentNullException.ThrowIfNull(provider);
        Registration = registration;
        _grain = grain;
        _provider = provider;
        _time = timeProvider ?? TimeProvider.System;
        _settings = settings ?? new SimulatedClusterSettings();
        _logger = logger ?? NullLogger.Instance;
        _start = _time.GetUtcNow();
        AgentSession = Guid.NewGuid().ToString("N");
        if (_settings.DefaultObjects)
        {
            _nodePools.AddRange(DefaultClusterObjects.NodePools());
            _daemonSets.Add(DefaultClusterObjects.DaemonSet());
            _workloads.AddRange(DefaultClusterObjects.Workloads());
        }
    }

    public ClusterRegistration Registration { get; }

    public string ClusterId => Registration.ClusterId;

    public string Region => Registration.Region;

    /// <summary>The agent session this cluster's snapshots and deltas carry (new for every simulated cluster).</summary>
    public string AgentSession { get; }

    /// <summary>The sequence number of the last change recorded (sent or still queued).</summary>
    public long LastSequence => Interlocked.Read(ref _sequence);

    /// <summary>Pods without a node, as of the end of the last tick.</summary>
    public int PendingPods => Volatile.Read(ref _pendingCount);

    /// <summary>Pods bound to a node, as of the end of the last tick.</summary>
    public int BoundPods => Volatile.Read(ref _boundCount);

    /// <summary>Nodes, as of the end of the last tick.</summary>
    public int Nodes => Volatile.Read(ref _nodeCount);

    /// <summary>For each pod bound so far (most recent 100,000): how long it waited from creation to binding, in simulated time.</summary>
    public IReadOnlyList<TimeSpan> BindLatencies
    {
        get
        {
            lock (_sync)
            {
                return [.. _latencies];
            }
        }
    }

    /// <summary>The workloads and their current pins (see <see cref="SetReplicas"/>).</summary>
    public IReadOnlyList<SimulatedWorkload> Workloads
    {
        get
        {
            lock (_sync)
            {
                return [.. _workloads];
            }
        }
    }

    /// <summary>Replicas the workload should have now: its pin, else the curve.</summary>
    public int DesiredReplicas(string workload)
    {
        lock (_sync)
        {
            return DesiredLocked(workload, _time.GetUtcNow());
        }
    }

    /// <summary>Pins <paramref name="workload"/> to <paramref name="replicas"/> instead of its curve (from the next tick).</summary>
    public void SetReplicas(string workload, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(replicas);
        lock (_sync)
        {
            if (!_workloads.Any(w => w.Name == workload))
            {
                throw new ArgumentException($"cluster {ClusterId} has no workload '{workload}'", nameof(workload));
            }

            _pinned[workload] = replicas;
        }
    }

    /// <summary>Lets a pinned workload follow its curve again.</summary>
    public void FollowCurve(string workload)
    {
        lock (_sync)
        {
            _pinned.Remove(workload);
        }
    }

    /// <summary>Adds (or replaces, by name) a workload; its pods appear on the next tick.</summary>
    public void AddWorkload(SimulatedWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(workload.PodSpec);
        lock (_sync)
        {
            _workloads.RemoveAll(w => w.Name == workload.Name);
            _pinned.Remove(workload.Name);
            _workloads.Add(workload);
        }
    }

    /// <summary>Removes every workload; their pods are deleted on the next tick.</summary>
    public void RemoveAllWorkloads()
    {
        lock (_sync)
        {
            _workloads.Clear();
            _pinned.Clear();
        }
    }

    /// <summary>
    /// One step of the cluster: nodes follow the cloud's instances, workloads follow their curves, the
    /// scheduler binds what fits, and the changes go to the cluster grain. A failure (grain or cloud)
    /// propagates; nothing recorded is lost, the next tick sends it (the grain ignores duplicates).
    /// </summary>
    public async Task TickAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            try
            {
                await SyncNodesAsync(now, cancellationToken);
                ReconcileWorkloads(now);
                Schedule(now);
            }
            finally
            {
                UpdateCounters();
            }

            await FlushAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The objects a snapshot would hold now: NodePools, DaemonSets, nodes, pods.</summary>
    internal IReadOnlyList<ClusterObject> SnapshotObjects()
    {
        var objects = new List<ClusterObject>(_nodePools.Count + _daemonSets.Count + _nodesByInstance.Count + _pods.Count);
        objects.AddRange(_nodePools.Select(p => new ClusterObject(ObjectKind.NodePool, p.Json)));
        objects.AddRange(_daemonSets.Select(d => new ClusterObject(ObjectKind.DaemonSet, KubernetesJson.Serialize(d))));
        objects.AddRange(_nodesByInstance.Values
            .OrderBy(n => n.Metadata.Name, StringComparer.Ordinal)
            .Select(n => new ClusterObject(ObjectKind.Node, KubernetesJson.Serialize(n))));
        objects.AddRange(_pods.Values
            .OrderBy(p => p.Ordinal)
            .Select(p => new ClusterObject(ObjectKind.Pod, KubernetesJson.Serialize(p.Pod))));
        return objects;
    }

    private async Task SyncNodesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var instances = await _provider.ListAsync(Region, ClusterId, cancellationToken);
        var running = new Dictionary<string, CloudInstance>(StringComparer.Ordinal);
        foreach (var instance in instances)
        {
            if (instance.State == CloudInstanceState.Running && instance.ClusterId == ClusterId)
            {
                running[instance.Id] = instance;
            }
        }

        foreach (var (instanceId, node) in _nodesByInstance.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
        {
            if (!running.ContainsKey(instanceId))
            {
                RemoveNode(instanceId, node);
            }
        }

        var catalogRefreshed = false;
        foreach (var instance in running.Values.OrderBy(i => i.LaunchedAt).ThenBy(i => i.Id, StringComparer.Ordinal))
        {
            if (_nodesByInstance.ContainsKey(instance.Id))
            {
                continue;
            }

            var type = FindType(instance.InstanceType);
            if (type is null && !catalogRefreshed)
            {
                // A type this cluster has not seen yet: the catalog may have changed since it was read.
                _catalog = await _provider.GetInstanceTypesAsync(Region, cancellationToken);
                catalogRefreshed = true;
                type = FindType(instance.InstanceType);
            }

            if (type is null)
            {
                _logger.LogWarning("Cluster {ClusterId}: instance {InstanceId} has type {InstanceType}, which the {Provider} catalog of {Region} does not list; it cannot join",
                    ClusterId, instance.Id, instance.InstanceType, _provider.Name, Region);
                continue;
            }

            var name = Ids.Hostname(instance.Id, Region);
            if (_nodesByInstance.Values.Any(n => n.Metadata.Name == name))
            {
                // Two instances whose derived addresses collide: fall back to the unique instance id.
                name = instance.Id;
            }

            var node = NodeFactory.Create(name, instance, type, now);
            _nodesByInstance[instance.Id] = node;
            _scheduleDirty = true;
            Record(DeltaType.Upsert, ObjectKind.Node, null, name, KubernetesJson.Serialize(node));
            _logger.LogDebug("Cluster {ClusterId}: node {Node} joined ({InstanceType} in {Zone}, {CapacityType})",
                ClusterId, name, instance.InstanceType, instance.Zone, instance.CapacityType);
        }
    }

    private InstanceType? FindType(string name) =>
        _catalog?.InstanceTypes.FirstOrDefault(t => t.Name == name);

    private void RemoveNode(string instanceId, V1Node node)
    {
        var name = node.Metadata.Name;
        // The node is gone with its pods; their controllers recreate them (new names) on reconcile.
        foreach (var pod in _pods.Values.Where(p => p.NodeName == name).OrderBy(p => p.Ordinal).ToList())
        {
            DeletePod(pod);
        }

        _nodesByInstance.Remove(instanceId);
        _scheduleDirty = true;
        Record(DeltaType.Delete, ObjectKind.Node, null, name, null);
        _logger.LogDebug("Cluster {ClusterId}: node {Node} left (instance {InstanceId} is gone)", ClusterId, name, instanceId);
    }

    private void ReconcileWorkloads(DateTimeOffset now)
    {
        List<(SimulatedWorkload Workload, int Desired)> targets;
        lock (_sync)
        {
            targets = _workloads.Select(w => (w, DesiredLocked(w.Name, now))).ToList();
        }

        var byWorkload = _pods.Values.GroupBy(p => p.Workload, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var known = targets.Select(t => t.Workload.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, pods) in byWorkload.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!known.Contains(name))
            {
                pods.OrderBy(p => p.Ordinal).ToList().ForEach(DeletePod);
            }
        }

        foreach (var (workload, desired) in targets)
        {
            var pods = byWorkload.GetValueOrDefault(workload.Name) ?? [];
            if (pods.Count < desired)
            {
                for (var i = pods.Count; i < desired; i++)
                {
                    CreatePod(workload, now);
                }
            }
            else if (pods.Count > desired)
            {
                // As a ReplicaSet scales down: unscheduled pods first, then the newest.
                var victims = pods
                    .OrderBy(p => p.NodeName is null ? 0 : 1)
                    .ThenByDescending(p => p.Ordinal)
                    .Take(pods.Count - desired)
                    .ToList();
                victims.ForEach(DeletePod);
            }
        }
    }

    private int DesiredLocked(string workload, DateTimeOffset now)
    {
        if (_pinned.TryGetValue(workload, out var pinned))
        {
            return pinned;
        }

        var w = _workloads.FirstOrDefault(x => x.Name == workload);
        return w is null ? 0 : WorkloadCurve.Replicas(w, now - _start, _settings.WorkloadPeriod, _settings.Phase, _settings.Scale);
    }

    private void CreatePod(SimulatedWorkload workload, DateTimeOffset now)
    {
        var ordinal = ++_podCounter;
        var name = $"{workload.Name}-{Ids.Suffix(ordinal)}";
        var ns = string.IsNullOrEmpty(workload.Namespace) ? "default" : workload.Namespace;
        // Each pod gets its own spec: binding sets spec.nodeName on one pod only.
        var spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(workload.PodSpec));
        spec.NodeName = null;
        var ownerKind = workload.Kind == WorkloadKind.Job ? "Job" : "ReplicaSet";
        var ownerName = workload.Kind == WorkloadKind.Job ? workload.Name : $"{workload.Name}-sim";
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Uid = Ids.Uid($"{ClusterId}/{ns}/{name}"),
                CreationTimestamp = now.UtcDateTime,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = workload.Name },
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = workload.Kind == WorkloadKind.Job ? "batch/v1" : "apps/v1",
                        Kind = ownerKind,
                        Name = ownerName,
                        Uid = Ids.Uid($"{ClusterId}/{ns}/{ownerKind}/{ownerName}"),
                        Controller = true,
                        BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = spec,
            Status = new V1PodStatus
            {
                Phase = "Pending",
                Conditions =
                [
                    new V1PodCondition
                    {
                        Type = "PodScheduled",
                        Status = "False",
                        Reason = "Unschedulable",
                        Message = "0/0 nodes are available",
                        LastTransitionTime = now.UtcDateTime,
                    },
                ],
            },
        };
        var entry = new PodEntry(pod, workload.Name, ordinal, now);
        _pods[entry.Key] = entry;
        _scheduleDirty = true;
        Record(DeltaType.Upsert, ObjectKind.Pod, ns, name, KubernetesJson.Serialize(pod));
    }

    private void DeletePod(PodEntry pod)
    {
        _pods.Remove(pod.Key);
        _scheduleDirty = true;
        Record(DeltaType.Delete, ObjectKind.Pod, pod.Pod.Metadata.NamespaceProperty, pod.Pod.Metadata.Name, null);
    }

    private void Schedule(DateTimeOffset now)
    {
        // Nothing joined, left or was created since the last solve: it would place nothing new.
        if (!_scheduleDirty || _catalog is null || _nodesByInstance.Count == 0 || !_pods.Values.Any(p => p.NodeName is null))
        {
            return;
        }

        _scheduleDirty = false;

        List<V1Node> nodes = [.. _nodesByInstance.Values.Where(IsReady)];
        var input = new SchedulingInput
        {
            // With ExistingCapacityOnly the solver counts spread domains over these nodes only, as kube-scheduler does.
            Catalog = _catalog,
            Pods = _pods.Values.OrderBy(p => p.Ordinal).Select(p => p.Pod).ToList(),
            Nodes = nodes,
            DaemonSets = [.. _daemonSets],
        };
        var result = ProvisioningSolver.Solve(input, SchedulerOptions);
        if (result.Unschedulable.Count > 0 && _logger.IsEnabled(LogLevel.Trace))
        {
            foreach (var pod in result.Unschedulable.Take(10))
            {
                _logger.LogTrace("Cluster {ClusterId}: {Pod} stays pending: {Reason}", ClusterId, pod.Pod, pod.Reason);
            }
        }

        foreach (var placement in result.ExistingNodes)
        {
            foreach (var key in placement.Pods)
            {
                if (_pods.TryGetValue(key, out var entry) && entry.NodeName is null)
                {
                    Bind(entry, placement.Name, now);
                }
            }
        }
    }

    private static bool IsReady(V1Node node) =>
        node.Spec?.Unschedulable != true &&
        node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private void Bind(PodEntry entry, string nodeName, DateTimeOffset now)
    {
        var pod = entry.Pod;
        var time = now.UtcDateTime;
        pod.Spec.NodeName = nodeName;
        pod.Status = new V1PodStatus
        {
            Phase = "Running",
            StartTime = time,
            Conditions =
            [
                new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = time },
                new V1PodCondition { Type = "Initialized", Status = "True", LastTransitionTime = time },
                new V1PodCondition { Type = "ContainersReady", Status = "True", LastTransitionTime = time },
                new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = time },
            ],
        };
        entry.BoundAt = now;
        lock (_sync)
        {
            if (_latencies.Count >= MaxLatencySamples)
            {
                _latencies.RemoveRange(0, MaxLatencySamples / 10);
            }

            _latencies.Add(now - entry.CreatedAt);
        }

        Record(DeltaType.Upsert, ObjectKind.Pod, pod.Metadata.NamespaceProperty, pod.Metadata.Name, KubernetesJson.Serialize(pod));
    }

    private void UpdateCounters()
    {
        var bound = _pods.Values.Count(p => p.NodeName is not null);
        Volatile.Write(ref _boundCount, bound);
        Volatile.Write(ref _pendingCount, _pods.Count - bound);
        Volatile.Write(ref _nodeCount, _nodesByInstance.Count);
    }

    private void Record(DeltaType type, ObjectKind kind, string? ns, string name, string? json)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        // While a snapshot is owed, the snapshot carries the change; queueing it too would only be dropped.
        if (!_resyncNeeded)
        {
            _outbox.Add(new ObjectDelta(sequence, type, kind, ns, name, json));
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_resyncNeeded)
        {
            await SendSnapshotAsync();
            return;
        }

        while (_outbox.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(_outbox.Count, Math.Max(1, _settings.MaxDeltasPerBatch));
            var batch = new DeltaBatch(AgentSession, _outbox.GetRange(0, count));
            var result = await _grain.ApplyDeltasAsync(batch);
            if (result.ResyncRequired)
            {
                _logger.LogInformation("Cluster {ClusterId}: the cluster grain asked for a resync (it has sequence {LastSequence}); sending a snapshot",
                    ClusterId, result.LastSequence);
                _resyncNeeded = true;
                _outbox.Clear();
                await SendSnapshotAsync();
                return;
            }

            LogErrors(result);
            _outbox.RemoveRange(0, count);
        }
    }

    private async Task SendSnapshotAsync()
    {
        var snapshot = new ClusterSnapshot(AgentSession, LastSequence, SnapshotObjects());
        var result = await _grain.ResyncAsync(snapshot);
        LogErrors(result);
        if (result.ResyncRequired)
        {
            _logger.LogWarning("Cluster {ClusterId}: the cluster grain refused a snapshot; retrying next tick", ClusterId);
            return;
        }

        _resyncNeeded = false;
        _outbox.Clear();
    }

    private void LogErrors(SyncResult result)
    {
        if (result.Errors is { Count: > 0 } errors)
        {
            _logger.LogWarning("Cluster {ClusterId}: the cluster grain rejected {Count} object(s): {Errors}",
                ClusterId, errors.Count, string.Join("; ", errors.Take(5)));
        }
    }
}
