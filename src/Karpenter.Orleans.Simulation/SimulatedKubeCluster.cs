using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// A simulated cluster that lives in a Kubernetes API server and plays only what a real cluster's own
/// components do there: the workload controller (each <see cref="SimulatedWorkload"/> keeps its replica count
/// of pods along <see cref="WorkloadCurve"/>, recreating deleted or evicted ones pending, as a ReplicaSet does),
/// kube-scheduler (binding pending pods to Ready nodes they fit, through the pods/binding subresource), kubelet
/// (a Node for each running cloud instance of the cluster, built from the instance's tags; gone with its
/// instance; terminating pods confirmed), pod garbage collection (pods of a deleted node go) and, with
/// <see cref="SimulatedClusterSettings.DaemonSetPods"/>, the DaemonSet controller. It never talks to the service:
/// the agent list-watches the same API server and carries out the service's commands there.
/// </summary>
/// <remarks>
/// Every <see cref="TickAsync"/> reads the API server's state and the cloud's instances afresh, so a new
/// instance on the same API server (after a restart) carries on without duplicating anything. What it keeps in
/// memory is only the workload curve's start and the instances whose Node someone else deleted (the agent, at the
/// service's command), so their kubelet does not register them again while they shut down.
/// </remarks>
public sealed class SimulatedKubeCluster
{
    /// <summary>Label naming the <see cref="SimulatedWorkload"/> a pod belongs to (besides <c>app</c>).</summary>
    public const string WorkloadLabel = "karpo.io/workload";

    /// <summary>Annotation naming the cloud instance of a Node this cluster's kubelet registered.</summary>
    public const string InstanceAnnotation = "karpo.io/instance-id";

    private const string DisruptedTaintKey = "karpenter.sh/disrupted";

    private static readonly SolverOptions SchedulerOptions = new() { ExistingCapacityOnly = true, Improve = false };

    private readonly IKubernetes _kube;
    private readonly ICloudProvider _provider;
    private readonly TimeProvider _time;
    private readonly SimulatedClusterSettings _settings;
    private readonly ILogger _logger;
    private readonly WorkloadReplicas _workloads;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _registered = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deregistered = new(StringComparer.Ordinal);

    private InstanceTypeCatalog? _catalog;
    private bool _initialized;
    private int _pendingCount;
    private int _boundCount;
    private int _nodeCount;

    public SimulatedKubeCluster(
        ClusterRegistration registration,
        IKubernetes kubernetes,
        ICloudProvider provider,
        TimeProvider? timeProvider = null,
        SimulatedClusterSettings? settings = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(kubernetes);
        ArgumentNullException.ThrowIfNull(provider);
        Registration = registration;
        _kube = kubernetes;
        _provider = provider;
        _time = timeProvider ?? TimeProvider.System;
        _settings = settings ?? new SimulatedClusterSettings();
        _logger = logger ?? NullLogger.Instance;
        _workloads = new WorkloadReplicas(registration.ClusterId, _time.GetUtcNow(), _settings);
        if (_settings.DefaultObjects)
        {
            foreach (var w in DefaultClusterObjects.Workloads())
            {
                _workloads.Add(w);
            }
        }
    }

    public ClusterRegistration Registration { get; }

    public string ClusterId => Registration.ClusterId;

    public string Region => Registration.Region;

    /// <summary>Workload pods without a node, as of the end of the last tick.</summary>
    public int PendingPods => Volatile.Read(ref _pendingCount);

    /// <summary>Pods bound to a node (DaemonSet pods included), as of the end of the last tick.</summary>
    public int BoundPods => Volatile.Read(ref _boundCount);

    /// <summary>Nodes this cluster's kubelet runs, as of the end of the last tick.</summary>
    public int Nodes => Volatile.Read(ref _nodeCount);

    /// <summary>The workloads this cluster's controller keeps.</summary>
    public IReadOnlyList<SimulatedWorkload> Workloads => _workloads.All;

    /// <summary>
    /// Creates in <paramref name="kubernetes"/> the CRDs of deploy/crds it lacks (NodePool, NodeClaim,
    /// EC2NodeClass); <see cref="TickAsync"/> does it on its first round.
    /// </summary>
    public static Task InstallCustomResourceDefinitionsAsync(IKubernetes kubernetes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        return KarpenterCustomResources.InstallAsync(kubernetes, cancellationToken);
    }

    /// <summary>Replicas the workload should have now: its pin, else the curve.</summary>
    public int DesiredReplicas(string workload) => _workloads.Desired(workload, _time.GetUtcNow());

    /// <summary>Pins <paramref name="workload"/> to <paramref name="replicas"/> instead of its curve (from the next tick).</summary>
    public void SetReplicas(string workload, int replicas) => _workloads.Pin(workload, replicas);

    /// <summary>Lets a pinned workload follow its curve again.</summary>
    public void FollowCurve(string workload) => _workloads.Unpin(workload);

    /// <summary>Adds (or replaces, by name) a workload; its pods appear on the next tick.</summary>
    public void AddWorkload(SimulatedWorkload workload) => _workloads.Add(workload);

    /// <summary>Removes every workload; their pods are deleted on the next tick.</summary>
    public void RemoveAllWorkloads() => _workloads.Clear();

    /// <summary>
    /// One round of the cluster's components against the API server: (first round only) the CRDs and default
    /// objects; kubelet registers and removes Nodes as the cloud's instances come and go and confirms terminating
    /// pods; pod GC removes the pods of deleted Nodes; the DaemonSet controller and the workload controller create
    /// and delete pods; kube-scheduler binds what fits. A failure (API server or cloud) propagates; the next
    /// round starts again from what the API server holds.
    /// </summary>
    public async Task TickAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_initialized)
            {
                await KarpenterCustomResources.InstallAsync(_kube, cancellationToken);
                if (_settings.DefaultObjects)
                {
                    await CreateDefaultObjectsAsync(cancellationToken);
                }

                _initialized = true;
            }

            var now = _time.GetUtcNow();
            var nodes = await RunKubeletAsync(now, cancellationToken);
            var pods = await CollectPodsAsync(nodes, cancellationToken);
            if (_settings.DaemonSetPods)
            {
                await RunDaemonSetsAsync(nodes, pods, cancellationToken);
            }

            await ReconcileWorkloadsAsync(pods, now, cancellationToken);
            await ScheduleAsync(nodes, now, cancellationToken);
            await UpdateCountersAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>NodePools (karpenter.sh/v1), the node class, the DaemonSet and the PDBs every simulated cluster starts with; existing ones are kept.</summary>
    private async Task CreateDefaultObjectsAsync(CancellationToken cancellationToken)
    {
        foreach (var (_, json) in DefaultClusterObjects.NodePools())
        {
            await CreateIfMissingAsync(() => _kube.CustomObjects.CreateClusterCustomObjectAsync(Body(json), "karpenter.sh", "v1", "nodepools", cancellationToken: cancellationToken));
        }

        if (_provider.NodeClasses is { Group: DefaultClusterObjects.NodeClassGroup, Kind: DefaultClusterObjects.NodeClassKind })
        {
            // A provider that launches with EC2NodeClasses (aws) gets the one the default NodePools name.
            await CreateIfMissingAsync(() => _kube.CustomObjects.CreateClusterCustomObjectAsync(
                Body(DefaultClusterObjects.NodeClass(ClusterId)), DefaultClusterObjects.NodeClassGroup, "v1", "ec2nodeclasses", cancellationToken: cancellationToken));
        }

        var daemonSet = DefaultClusterObjects.DaemonSet();
        await CreateIfMissingAsync(() => _kube.AppsV1.CreateNamespacedDaemonSetAsync(daemonSet, daemonSet.Metadata.NamespaceProperty, cancellationToken: cancellationToken));
        foreach (var budget in DefaultClusterObjects.PodDisruptionBudgets())
        {
            await CreateIfMissingAsync(() => _kube.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(budget, budget.Metadata.NamespaceProperty, cancellationToken: cancellationToken));
        }

        static JsonElement Body(string json)
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement.Clone();
            return root;
        }
    }

    /// <summary>
    /// Kubelet of every running instance: registers its Node (once; a Node someone else deleted stays gone while
    /// the instance runs) and removes the Nodes whose instance is gone. Returns the Nodes the API server holds now.
    /// </summary>
    private async Task<List<V1Node>> RunKubeletAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var running = (await _provider.ListAsync(Region, ClusterId, cancellationToken))
            .Where(i => i.State == CloudInstanceState.Running && i.ClusterId == ClusterId)
            .ToDictionary(i => i.Id, StringComparer.Ordinal);
        var nodes = (await _kube.CoreV1.ListNodeAsync(cancellationToken: cancellationToken)).Items.ToList();
        var byInstance = new Dictionary<string, V1Node>(StringComparer.Ordinal);
        foreach (var node in nodes.ToList())
        {
            if (node.Metadata.Annotations is null || !node.Metadata.Annotations.TryGetValue(InstanceAnnotation, out var instanceId) || instanceId.Length == 0)
            {
                // Not a node of this simulation (registered by hand or by another kubelet): left alone.
                continue;
            }

            if (running.ContainsKey(instanceId))
            {
                byInstance[instanceId] = node;
                _registered.Add(instanceId);
                continue;
            }

            await IgnoreNotFoundAsync(() => _kube.CoreV1.DeleteNodeAsync(node.Metadata.Name, cancellationToken: cancellationToken));
            nodes.Remove(node);
            _logger.LogDebug("Cluster {ClusterId}: node {Node} left (instance {InstanceId} is gone)", ClusterId, node.Metadata.Name, instanceId);
        }

        _registered.IntersectWith(running.Keys);
        _deregistered.IntersectWith(running.Keys);
        var catalogRefreshed = false;
        foreach (var instance in running.Values.OrderBy(i => i.LaunchedAt).ThenBy(i => i.Id, StringComparer.Ordinal))
        {
            if (byInstance.ContainsKey(instance.Id) || _deregistered.Contains(instance.Id))
            {
                continue;
            }

            if (_registered.Remove(instance.Id))
            {
                // Its Node was here and someone deleted it (the agent, at the service's command): the instance is
                // on its way out, and its kubelet does not register it again.
                _deregistered.Add(instance.Id);
                continue;
            }

            var type = _catalog?.InstanceTypes.FirstOrDefault(t => t.Name == instance.InstanceType);
            if (type is null && !catalogRefreshed)
            {
                _catalog = await _provider.GetInstanceTypesAsync(Region, cancellationToken);
                catalogRefreshed = true;
                type = _catalog.InstanceTypes.FirstOrDefault(t => t.Name == instance.InstanceType);
            }

            if (type is null)
            {
                _logger.LogWarning("Cluster {ClusterId}: instance {InstanceId} has type {InstanceType}, which the {Provider} catalog of {Region} does not list; it cannot join",
                    ClusterId, instance.Id, instance.InstanceType, _provider.Name, Region);
                continue;
            }

            var name = Ids.Hostname(instance.Id, Region);
            if (nodes.Any(n => n.Metadata.Name == name))
            {
                // Two instances whose derived addresses collide: fall back to the unique instance id.
                name = instance.Id;
            }

            var node = NodeFactory.Create(name, instance, type, now);
            node.Metadata.Annotations[InstanceAnnotation] = instance.Id;
            // The API server assigns identity; a restarted kubelet finds its Node by the annotation.
            node.Metadata.Uid = null;
            node.Metadata.CreationTimestamp = null;
            if (await CreateIfMissingAsync(() => _kube.CoreV1.CreateNodeAsync(node, cancellationToken: cancellationToken)))
            {
                nodes.Add(node);
                _registered.Add(instance.Id);
                _logger.LogDebug("Cluster {ClusterId}: node {Node} joined ({InstanceType} in {Zone}, {CapacityType})",
                    ClusterId, name, instance.InstanceType, instance.Zone, instance.CapacityType);
            }
        }

        return nodes;
    }

    /// <summary>
    /// Kubelet confirms the termination of pods deleted gracefully, and pod GC deletes the pods bound to a Node
    /// that no longer exists. Returns the pods left that are not terminating.
    /// </summary>
    private async Task<List<V1Pod>> CollectPodsAsync(List<V1Node> nodes, CancellationToken cancellationToken)
    {
        var names = nodes.Select(n => n.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var live = new List<V1Pod>();
        foreach (var pod in await ListPodsAsync(cancellationToken))
        {
            var orphaned = pod.Spec.NodeName is { Length: > 0 } node && !names.Contains(node);
            if (orphaned || pod.Metadata.DeletionTimestamp is not null)
            {
                await IgnoreNotFoundAsync(() => _kube.CoreV1.DeleteNamespacedPodAsync(
                    pod.Metadata.Name, pod.Metadata.NamespaceProperty, new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: cancellationToken));
                continue;
            }

            live.Add(pod);
        }

        return live;
    }

    /// <summary>The DaemonSet controller: one pod of each DaemonSet on every node it fits, Running at once.</summary>
    private async Task RunDaemonSetsAsync(List<V1Node> nodes, List<V1Pod> pods, CancellationToken cancellationToken)
    {
        var daemonSets = (await _kube.AppsV1.ListDaemonSetForAllNamespacesAsync(cancellationToken: cancellationToken)).Items;
        foreach (var node in nodes.Where(n => n.Metadata.Annotations?.ContainsKey(InstanceAnnotation) == true))
        {
            // A node being disrupted is draining: its evicted daemons are not put back, or the drain would never end.
            if (node.Spec?.Taints?.Any(t => t.Key == DisruptedTaintKey) == true)
            {
                continue;
            }

            foreach (var ds in daemonSets)
            {
                var template = ds.Spec?.Template?.Spec;
                if (template is null
                    || !DaemonSetFit.RunsOn(template, node)
                    || pods.Any(p => p.Spec.NodeName == node.Metadata.Name && p.Metadata.OwnerReferences?.Any(o => o.Kind == "DaemonSet" && o.Name == ds.Metadata.Name) == true))
                {
                    continue;
                }

                var ns = ds.Metadata.NamespaceProperty ?? "default";
                var spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(template));
                spec.NodeName = node.Metadata.Name;
                var pod = new V1Pod
                {
                    ApiVersion = "v1",
                    Kind = "Pod",
                    Metadata = new V1ObjectMeta
                    {
                        // One name per DaemonSet and node, so two rounds (or two runs) cannot make two.
                        Name = $"{ds.Metadata.Name}-{Ids.Uid(node.Metadata.Name)[..5]}",
                        NamespaceProperty = ns,
                        Labels = ds.Spec!.Template.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : null,
                        OwnerReferences =
                        [
                            new V1OwnerReference { ApiVersion = "apps/v1", Kind = "DaemonSet", Name = ds.Metadata.Name, Uid = ds.Metadata.Uid, Controller = true, BlockOwnerDeletion = true },
                        ],
                    },
                    Spec = spec,
                };
                if (await CreateIfMissingAsync(() => _kube.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: cancellationToken)))
                {
                    await MarkRunningAsync(pod, _time.GetUtcNow(), cancellationToken);
                }
            }
        }
    }

    /// <summary>The workload controller: each workload gets its desired number of pods; pods of unknown workloads go.</summary>
    private async Task ReconcileWorkloadsAsync(List<V1Pod> pods, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var targets = _workloads.Targets(now);

        var byWorkload = pods
            .Where(p => p.Metadata.Labels?.ContainsKey(WorkloadLabel) == true)
            .GroupBy(p => p.Metadata.Labels[WorkloadLabel], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var known = targets.Select(t => t.Workload.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, orphans) in byWorkload.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!known.Contains(name))
            {
                foreach (var pod in orphans)
                {
                    await DeletePodAsync(pod, cancellationToken);
                }
            }
        }

        foreach (var (workload, desired) in targets)
        {
            var existing = byWorkload.GetValueOrDefault(workload.Name) ?? [];
            for (var i = existing.Count; i < desired; i++)
            {
                await _kube.CoreV1.CreateNamespacedPodAsync(NewPod(workload), Namespace(workload), cancellationToken: cancellationToken);
            }

            // As a ReplicaSet scales down: unscheduled pods first, then the newest.
            foreach (var pod in existing
                .OrderBy(p => p.Spec.NodeName is null ? 0 : 1)
                .ThenByDescending(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue)
                .ThenByDescending(p => p.Metadata.Name, StringComparer.Ordinal)
                .Take(Math.Max(0, existing.Count - desired)))
            {
                await DeletePodAsync(pod, cancellationToken);
            }
        }
    }

    private V1Pod NewPod(SimulatedWorkload workload)
    {
        var ns = Namespace(workload);
        // Each pod gets its own spec: binding sets spec.nodeName on one pod only.
        var spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(workload.PodSpec));
        spec.NodeName = null;
        var ownerKind = workload.Kind == WorkloadKind.Job ? "Job" : "ReplicaSet";
        var ownerName = workload.Kind == WorkloadKind.Job ? workload.Name : $"{workload.Name}-sim";
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                // The API server picks the suffix, as it does for a ReplicaSet's pods: unique across restarts.
                GenerateName = $"{workload.Name}-",
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = workload.Name, [WorkloadLabel] = workload.Name },
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
        };
    }

    /// <summary>
    /// kube-scheduler: binds pending pods to Ready nodes with room, as the Scheduling library places them on
    /// existing capacity (requests, taints and tolerations, node selectors and affinity, spread), then reports
    /// them Running as their kubelet would; pods that fit nowhere are marked PodScheduled=False/Unschedulable.
    /// </summary>
    private async Task ScheduleAsync(List<V1Node> nodes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pods = (await ListPodsAsync(cancellationToken)).Where(p => p.Metadata.DeletionTimestamp is null || p.Spec.NodeName is not null).ToList();
        var pending = pods.Where(p => p.Spec.NodeName is null && p.Metadata.DeletionTimestamp is null).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        var ready = nodes.Where(IsReady).ToList();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        if (ready.Count > 0)
        {
            _catalog ??= await _provider.GetInstanceTypesAsync(Region, cancellationToken);
            var input = new SchedulingInput
            {
                Catalog = _catalog,
                Pods = [.. pods.OrderBy(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)],
                Nodes = ready,
                DaemonSets = [.. (await _kube.AppsV1.ListDaemonSetForAllNamespacesAsync(cancellationToken: cancellationToken)).Items],
                PodDisruptionBudgets = [.. (await _kube.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(cancellationToken: cancellationToken)).Items],
            };
            var result = ProvisioningSolver.Solve(input, SchedulerOptions);
            var byKey = pending.ToDictionary(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}", StringComparer.Ordinal);
            foreach (var placement in result.ExistingNodes)
            {
                foreach (var key in placement.Pods)
                {
                    if (byKey.TryGetValue(key, out var pod) && await BindAsync(pod, placement.Name, now, cancellationToken))
                    {
                        placed.Add(key);
                    }
                }
            }
        }

        foreach (var pod in pending.Where(p => !placed.Contains($"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}")))
        {
            if (pod.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") != true)
            {
                await MarkUnschedulableAsync(pod, ready.Count, now, cancellationToken);
            }
        }
    }

    private async Task<bool> BindAsync(V1Pod pod, string nodeName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var binding = new V1Binding
        {
            Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty },
            Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = nodeName },
        };
        try
        {
            await _kube.CoreV1.CreateNamespacedPodBindingAsync(binding, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // Bound by someone else meanwhile, or deleted: nothing to do.
            return false;
        }

        await MarkRunningAsync(pod, now, cancellationToken);
        return true;
    }

    /// <summary>What the pod's kubelet reports once it runs: phase Running, scheduled, ready.</summary>
    private Task MarkRunningAsync(V1Pod pod, DateTimeOffset now, CancellationToken cancellationToken) =>
        PatchStatusAsync(pod, new V1PodStatus
        {
            Phase = "Running",
            StartTime = now.UtcDateTime,
            Conditions =
            [
                new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = now.UtcDateTime },
                new V1PodCondition { Type = "Initialized", Status = "True", LastTransitionTime = now.UtcDateTime },
                new V1PodCondition { Type = "ContainersReady", Status = "True", LastTransitionTime = now.UtcDateTime },
                new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = now.UtcDateTime },
            ],
        }, cancellationToken);

    private Task MarkUnschedulableAsync(V1Pod pod, int readyNodes, DateTimeOffset now, CancellationToken cancellationToken) =>
        PatchStatusAsync(pod, new V1PodStatus
        {
            Phase = "Pending",
            Conditions =
            [
                new V1PodCondition
                {
                    Type = "PodScheduled",
                    Status = "False",
                    Reason = "Unschedulable",
                    Message = $"0/{readyNodes} nodes are available",
                    LastTransitionTime = now.UtcDateTime,
                },
            ],
        }, cancellationToken);

    private async Task PatchStatusAsync(V1Pod pod, V1PodStatus status, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(KubernetesJson.Serialize(new V1Pod { Status = status }), V1Patch.PatchType.MergePatch);
        await IgnoreNotFoundAsync(() => _kube.CoreV1.PatchNamespacedPodStatusAsync(patch, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken));
    }

    private async Task UpdateCountersAsync(CancellationToken cancellationToken)
    {
        var pods = (await ListPodsAsync(cancellationToken)).Where(p => p.Metadata.DeletionTimestamp is null).ToList();
        var nodes = (await _kube.CoreV1.ListNodeAsync(cancellationToken: cancellationToken)).Items
            .Count(n => n.Metadata.Annotations?.ContainsKey(InstanceAnnotation) == true);
        Volatile.Write(ref _boundCount, pods.Count(p => p.Spec.NodeName is not null));
        Volatile.Write(ref _pendingCount, pods.Count(p => p.Spec.NodeName is null && p.Metadata.Labels?.ContainsKey(WorkloadLabel) == true));
        Volatile.Write(ref _nodeCount, nodes);
    }

    private async Task<IList<V1Pod>> ListPodsAsync(CancellationToken cancellationToken) =>
        (await _kube.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: cancellationToken)).Items;

    private Task DeletePodAsync(V1Pod pod, CancellationToken cancellationToken) =>
        IgnoreNotFoundAsync(() => _kube.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken));



    private static string Namespace(SimulatedWorkload workload) => string.IsNullOrEmpty(workload.Namespace) ? "default" : workload.Namespace;

    private static bool IsReady(V1Node node) =>
        node.Spec?.Unschedulable != true &&
        node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>Runs a create; false when the object exists already (an earlier round or run made it).</summary>
    private static async Task<bool> CreateIfMissingAsync(Func<Task> create)
    {
        try
        {
            await create();
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    private static async Task IgnoreNotFoundAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Gone already: what the call wanted.
        }
    }
}
