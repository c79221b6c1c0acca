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
/// first (and whenever the grain asks for one), then deltas with sequence numbers rising by one. It also
/// carries out the service's commands as a real cluster would: taints, evictions that obey
/// PodDisruptionBudgets (an evicted pod is recreated pending by its workload; an evicted DaemonSet pod, see
/// <see cref="SimulatedClusterSettings.DaemonSetPods"/>, is simply gone), pod and node deletions, each
/// acknowledged after the changes they caused were sent.
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
    private readonly WorkloadReplicas _workloads;

    // One tick at a time; the workloads (WorkloadReplicas) and the latency samples have their own locks, so a
    // test or an admin call can change workloads while the hosted service ticks.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _sync = new();
    private readonly List<TimeSpan> _latencies = [];

    private readonly Dictionary<string, PodEntry> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1Node> _nodesByInstance = new(StringComparer.Ordinal);
    private readonly List<(string Name, string Json)> _nodePools = [];
    private readonly List<string> _nodeClasses = [];
    private readonly List<V1DaemonSet> _daemonSets = [];
    private readonly List<V1PodDisruptionBudget> _pdbs = [];
    private readonly HashSet<string> _deletedInstances = new(StringComparer.Ordinal);
    private readonly List<ObjectDelta> _outbox = [];

    private InstanceTypeCatalog? _catalog;
    private long _sequence;
    private long _podCounter;
    private bool _resyncNeeded = true;
    private bool _scheduleDirty = true;
    private int _pendingCount;
    private int _boundCount;
    private int _nodeCount;
    private int _evictionsRefused;
    private int _podsEvicted;

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
        _workloads = new WorkloadReplicas(registration.ClusterId, _time.GetUtcNow(), _settings);
        AgentSession = Guid.NewGuid().ToString("N");
        if (_settings.DefaultObjects)
        {
            _nodePools.AddRange(DefaultClusterObjects.NodePools());
            if (provider.NodeClasses is { Group: DefaultClusterObjects.NodeClassGroup, Kind: DefaultClusterObjects.NodeClassKind })
            {
                // A provider that launches with EC2NodeClasses (aws) gets the one the default NodePools name.
                _nodeClasses.Add(DefaultClusterObjects.NodeClass(registration.ClusterId));
            }

            _daemonSets.Add(DefaultClusterObjects.DaemonSet());
            _pdbs.AddRange(DefaultClusterObjects.PodDisruptionBudgets());
            foreach (var w in DefaultClusterObjects.Workloads())
            {
                _workloads.Add(w);
            }
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
    public IReadOnlyList<SimulatedWorkload> Workloads => _workloads.All;

    /// <summary>Replicas the workload should have now: its pin, else the curve.</summary>
    public int DesiredReplicas(string workload) => _workloads.Desired(workload, _time.GetUtcNow());

    /// <summary>Pins <paramref name="workload"/> to <paramref name="replicas"/> instead of its curve (from the next tick).</summary>
    public void SetReplicas(string workload, int replicas) => _workloads.Pin(workload, replicas);

    /// <summary>Lets a pinned workload follow its curve again.</summary>
    public void FollowCurve(string workload) => _workloads.Unpin(workload);

    /// <summary>Adds (or replaces, by name) a workload; its pods appear on the next tick.</summary>
    public void AddWorkload(SimulatedWorkload workload) => _workloads.Add(workload);

    /// <summary>Evictions the cluster refused because of a PodDisruptionBudget, so far.</summary>
    public int EvictionsRefused => Volatile.Read(ref _evictionsRefused);

    /// <summary>Pods evicted (through the budgets) or deleted at the service's command, so far.</summary>
    public int PodsEvicted => Volatile.Read(ref _podsEvicted);

    /// <summary>Adds (or replaces, by namespace and name) a PodDisruptionBudget; it is sent with the next tick's changes.</summary>
    public void AddPodDisruptionBudget(V1PodDisruptionBudget budget) => Upsert(_pdbs, budget, ObjectKind.PodDisruptionBudget);

    /// <summary>
    /// Adds (or replaces, by namespace and name) a DaemonSet; it is sent with the next tick's changes, and with
    /// <see cref="SimulatedClusterSettings.DaemonSetPods"/> its pods run on the nodes that join from then on.
    /// </summary>
    public void AddDaemonSet(V1DaemonSet daemonSet) => Upsert(_daemonSets, daemonSet, ObjectKind.DaemonSet);

    /// <summary>Adds or replaces (by namespace and name) an object the cluster keeps in <paramref name="objects"/>, and records the change.</summary>
    private void Upsert<T>(List<T> objects, T item, ObjectKind kind)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(item.Metadata?.Name);
        item.Metadata.NamespaceProperty ??= "default";
        _gate.Wait();
        try
        {
            objects.RemoveAll(o => o.Metadata.Name == item.Metadata.Name && o.Metadata.NamespaceProperty == item.Metadata.NamespaceProperty);
            objects.Add(item);
            Record(DeltaType.Upsert, kind, item.Metadata.NamespaceProperty, item.Metadata.Name, KubernetesJson.Serialize(item));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Adds (or replaces, by name) a NodePool given as karpenter.sh/v1 JSON; it is sent with the next tick's changes.</summary>
    public void AddNodePool(string name, string json)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(json);
        _gate.Wait();
        try
        {
            _nodePools.RemoveAll(p => p.Name == name);
            _nodePools.Add((name, json));
            Record(DeltaType.Upsert, ObjectKind.NodePool, null, name, json);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The pods of the cluster now (copies of their objects), for tests and tools.</summary>
    public IReadOnlyList<V1Pod> Pods()
    {
        _gate.Wait();
        try
        {
            return _pods.Values.OrderBy(p => p.Ordinal).Select(p => KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(p.Pod))).ToList();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes every workload; their pods are deleted on the next tick.</summary>
    public void RemoveAllWorkloads() => _workloads.Clear();

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
            List<CommandAck> acks;
            try
            {
                await SyncNodesAsync(now, cancellationToken);
                acks = await CarryOutCommandsAsync();
                ReconcileWorkloads(now);
                Schedule(now);
            }
            finally
            {
                UpdateCounters();
            }

            await FlushAsync(cancellationToken);

            // After the changes they caused: the service sees the pods gone when it reads the acks. A lost
            // call only means the commands come again, and carrying them out twice is harmless.
            if (acks.Count > 0)
            {
                await _grain.AcknowledgeCommandsAsync(acks);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The objects a snapshot would hold now: node classes, NodePools, DaemonSets, PDBs, nodes, pods.</summary>
    internal IReadOnlyList<ClusterObject> SnapshotObjects()
    {
        var objects = new List<ClusterObject>(_nodeClasses.Count + _nodePools.Count + _daemonSets.Count + _nodesByInstance.Count + _pods.Count);
        objects.AddRange(_nodeClasses.Select(json => new ClusterObject(ObjectKind.NodeClass, json)));
        objects.AddRange(_nodePools.Select(p => new ClusterObject(ObjectKind.NodePool, p.Json)));
        objects.AddRange(_daemonSets.Select(d => new ClusterObject(ObjectKind.DaemonSet, KubernetesJson.Serialize(d))));
        objects.AddRange(_pdbs.Select(b => new ClusterObject(ObjectKind.PodDisruptionBudget, KubernetesJson.Serialize(b))));
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

        // Remembered only while the cloud still runs them.
        _deletedInstances.IntersectWith(running.Keys);
        var catalogRefreshed = false;
        foreach (var instance in running.Values.OrderBy(i => i.LaunchedAt).ThenBy(i => i.Id, StringComparer.Ordinal))
        {
            if (_nodesByInstance.ContainsKey(instance.Id) || _deletedInstances.Contains(instance.Id))
            {
                // A node deleted at the service's command does not come back while its instance shuts down.
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
            if (_settings.DaemonSetPods)
            {
                RunDaemonSets(node, now);
            }
            _logger.LogDebug("Cluster {ClusterId}: node {Node} joined ({InstanceType} in {Zone}, {CapacityType})",
                ClusterId, name, instance.InstanceType, instance.Zone, instance.CapacityType);
        }
    }

    /// <summary>Carries out the commands the service has for this cluster, in order; one ack per command.</summary>
    private async Task<List<CommandAck>> CarryOutCommandsAsync()
    {
        var commands = await _grain.GetCommandsAsync();
        var acks = new List<CommandAck>(commands.Count);
        foreach (var command in commands)
        {
            acks.Add(CarryOut(command));
        }

        return acks;
    }

    private CommandAck CarryOut(ClusterCommand command)
    {
        var node = _nodesByInstance.FirstOrDefault(n => n.Value.Metadata.Name == command.Node);
        switch (command.Kind)
        {
            case ClusterCommandKind.TaintNode or ClusterCommandKind.UntaintNode:
                if (node.Value is { } tainted && command.Taint is { } text)
                {
                    SetTaint(tainted, text, command.Kind == ClusterCommandKind.TaintNode);
                }

                return new CommandAck(command.Id, CommandOutcome.Done);
            case ClusterCommandKind.EvictPod or ClusterCommandKind.DeletePod:
                var key = $"{command.Namespace ?? "default"}/{command.Pod}";
                if (!_pods.TryGetValue(key, out var pod) || pod.NodeName != command.Node)
                {
                    // Already gone (or elsewhere): nothing left to do.
                    return new CommandAck(command.Id, CommandOutcome.Done);
                }

                if (command.Kind == ClusterCommandKind.EvictPod && DisruptionBudgets.Refusal(pod.Pod, _pdbs, _pods.Values, Scale) is { } refusal)
                {
                    Interlocked.Increment(ref _evictionsRefused);
                    return new CommandAck(command.Id, CommandOutcome.Refused, refusal);
                }

                // The pod goes; its ReplicaSet makes a pending replacement on reconcile, as Kubernetes does. A
                // DaemonSet pod is not replaced: the DaemonSet controller does not run it on a tainted node again.
                DeletePod(pod);
                Interlocked.Increment(ref _podsEvicted);
                return new CommandAck(command.Id, CommandOutcome.Done);
            case ClusterCommandKind.DeleteNode:
                if (node.Value is { } deleted)
                {
                    _deletedInstances.Add(node.Key);
                    RemoveNode(node.Key, deleted);
                }

                return new CommandAck(command.Id, CommandOutcome.Done);
            default:
                return new CommandAck(command.Id, CommandOutcome.Failed, $"unknown command kind {command.Kind}");
        }
    }

    /// <summary>Replicas the workloads a budget selects want now (a workload's pods carry app=&lt;name&gt;).</summary>
    private int Scale(V1PodDisruptionBudget budget) =>
        _workloads.Targets(_time.GetUtcNow())
            .Where(t => (string.IsNullOrEmpty(t.Workload.Namespace) ? "default" : t.Workload.Namespace) == (budget.Metadata.NamespaceProperty ?? "default")
                && DisruptionBudgets.Selects(budget.Spec?.Selector, new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = t.Workload.Name }))
            .Sum(t => t.Desired);

    private void SetTaint(V1Node node, string text, bool present)
    {
        var colon = text.LastIndexOf(':');
        var keyValue = colon >= 0 ? text[..colon] : text;
        var effect = colon >= 0 ? text[(colon + 1)..] : "NoSchedule";
        var eq = keyValue.IndexOf('=', StringComparison.Ordinal);
        var key = eq >= 0 ? keyValue[..eq] : keyValue;
        var value = eq >= 0 ? keyValue[(eq + 1)..] : null;
        var taints = node.Spec.Taints?.ToList() ?? [];
        var has = taints.Any(t => t.Key == key && t.Effect == effect);
        if (has == present)
        {
            return;
        }

        if (present)
        {
            taints.Add(new V1Taint { Key = key, Value = value, Effect = effect });
        }
        else
        {
            taints.RemoveAll(t => t.Key == key && t.Effect == effect);
        }

        node.Spec.Taints = taints;
        _scheduleDirty = true;
        Record(DeltaType.Upsert, ObjectKind.Node, null, node.Metadata.Name, KubernetesJson.Serialize(node));
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
        var targets = _workloads.Targets(now);

        // DaemonSet pods follow their nodes, not a workload.
        var byWorkload = _pods.Values.Where(p => !p.IsDaemon).GroupBy(p => p.Workload, StringComparer.Ordinal)
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

    /// <summary>Binds one pod of each DaemonSet that would run on the node (selector and taints), Running at once.</summary>
    private void RunDaemonSets(V1Node node, DateTimeOffset now)
    {
        foreach (var ds in _daemonSets)
        {
            var template = ds.Spec?.Template?.Spec;
            if (template is null || !DaemonSetFit.RunsOn(template, node))
            {
                continue;
            }

            var ordinal = ++_podCounter;
            var ns = ds.Metadata.NamespaceProperty ?? "default";
            var name = $"{ds.Metadata.Name}-{Ids.Suffix(ordinal)}";
            var spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(template));
            spec.NodeName = node.Metadata.Name;
            var time = now.UtcDateTime;
            var pod = new V1Pod
            {
                ApiVersion = "v1",
                Kind = "Pod",
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = ns,
                    Uid = Ids.Uid($"{ClusterId}/{ns}/{name}"),
                    CreationTimestamp = time,
                    Labels = ds.Spec!.Template.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : null,
                    OwnerReferences =
                    [
                        new V1OwnerReference { ApiVersion = "apps/v1", Kind = "DaemonSet", Name = ds.Metadata.Name, Uid = ds.Metadata.Uid ?? Ids.Uid($"{ClusterId}/{ns}/DaemonSet/{ds.Metadata.Name}"), Controller = true, BlockOwnerDeletion = true },
                    ],
                },
                Spec = spec,
                Status = new V1PodStatus { Phase = "Running", StartTime = time },
            };
            var entry = new PodEntry(pod, $"daemonset:{ds.Metadata.Name}", ordinal, now) { BoundAt = now };
            _pods[entry.Key] = entry;
            Record(DeltaType.Upsert, ObjectKind.Pod, ns, name, KubernetesJson.Serialize(pod));
        }
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
            PodDisruptionBudgets = [.. _pdbs],
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
