using k8s;
using k8s.Models;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>
/// One managed cluster. Takes the agent's view (snapshots and sequenced deltas), batches pending pods
/// like Karpenter's provisioner, runs the solver, creates NodeClaims and keeps their index. Pods and
/// nodes live in memory only: after a restart the first delta from the agent is answered with a resync.
/// </summary>
public sealed partial class ClusterGrain(
    [PersistentState("cluster", StorageNames.Karpo)] IPersistentState<ClusterState> state,
    ICloudProviders providers,
    RegionCatalogs catalogs,
    IProvisioningSolver solver,
    SolveGate solveGate,
    IOptions<ProvisioningOptions> options,
    ServiceClock time,
    ILogger<ClusterGrain> logger) : Grain, IClusterGrain, IRemindable
{
    private const string ReconcileReminder = "reconcile";

    private readonly Dictionary<string, TrackedPod> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1Node> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodePool> _nodePools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodePoolManifests = new(StringComparer.Ordinal);
    private readonly HashSet<string> _invalidNodePools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1DaemonSet> _daemonSets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1PodDisruptionBudget> _pdbs = new(StringComparer.Ordinal);
    private string? _session;
    private long _sequence;
    private DateTimeOffset? _lastAgentContact;
    private DateTimeOffset? _batchFirst;
    private DateTimeOffset? _batchLast;
    private IGrainTimer? _batchTimer;
    private IGrainTimer? _reconcileTimer;
    private bool _reportDirty = true;

    private string ClusterId => this.GetPrimaryKeyString();

    private ProvisioningOptions Options => options.Value;

    private ClusterRegistration? Registration => state.State.Registration;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Registration is not null)
        {
            StartReconcileTimer();
        }

        return Task.CompletedTask;
    }

    async Task IClusterGrain.RegisterAsync(ClusterRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (registration.ClusterId != ClusterId)
        {
            throw new ArgumentException($"registration is for cluster \"{registration.ClusterId}\", not \"{ClusterId}\"", nameof(registration));
        }

        providers.Get(registration.Provider);
        state.State.Registration = registration;
        await state.WriteStateAsync();
        StartReconcileTimer();
        try
        {
            // The reminder wakes the cluster after a silo restart so in-flight claims are driven on.
            await this.RegisterOrUpdateReminder(ReconcileReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
        catch (Exception ex) when (ex is InvalidOperationException or OrleansException)
        {
            logger.LogWarning("No reminder service: cluster {Cluster} is reconciled only while active ({Message})", ClusterId, ex.Message);
        }

        PublishGauges();
    }

    Task<ClusterRegistration?> IClusterGrain.GetRegistrationAsync() => Task.FromResult(Registration);

    async Task IClusterGrain.UnregisterAsync()
    {
        if (Registration is null)
        {
            return;
        }

        state.State.Registration = null;
        await state.WriteStateAsync();
        _reconcileTimer?.Dispose();
        _reconcileTimer = null;
        _session = null;
        _pods.Clear();
        _nodes.Clear();
        try
        {
            if (await this.GetReminder(ReconcileReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OrleansException)
        {
            logger.LogDebug("No reminder to remove for cluster {Cluster}: {Message}", ClusterId, ex.Message);
        }

        foreach (var metric in new[] { MetricNames.SchedulerQueueDepth, MetricNames.UnschedulablePods, MetricNames.ClusterCost, MetricNames.ClusterSpendCap, MetricNames.AgentLag, MetricNames.Nodes })
        {
            KarpoTelemetry.Gauges.RemoveWhere(metric, new KeyValuePair<string, object?>("cluster", ClusterId));
        }

        KarpoTelemetry.Gauges.RemoveScope(ClusterSeries.Scope(ClusterId));
    }

    async Task IClusterGrain.SetSpendCapAsync(double? pricePerHour)
    {
        if (pricePerHour is < 0 or double.NaN)
        {
            throw new ArgumentOutOfRangeException(nameof(pricePerHour), "a spend cap is a price per hour >= 0");
        }

        state.State.Registration = RequireRegistration() with { SpendCapPerHour = pricePerHour };
        await state.WriteStateAsync();
        PublishGauges();
        if (pricePerHour is null || pricePerHour > CommittedPerHour())
        {
            // Pods held back by the old cap may fit under the new one.
            TriggerBatch();
        }
    }

    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status) => ReconcileCoreAsync();

    // ---------------------------------------------------------------- agent state

    async Task<SyncResult> IClusterGrain.ResyncAsync(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        RequireRegistration();
        var errors = new List<string>();
        var now = time.Now;
        var previousPods = new Dictionary<string, TrackedPod>(_pods, StringComparer.Ordinal);
        var previousNodes = _nodes.Keys.ToHashSet(StringComparer.Ordinal);
        _pods.Clear();
        _nodes.Clear();
        _daemonSets.Clear();
        _pdbs.Clear();
        var poolManifests = new Dictionary<string, string>(StringComparer.Ordinal);
        var invalidPools = new Dictionary<string, string>(StringComparer.Ordinal);
        var nodeClasses = new Dictionary<string, NodeClassManifest>(StringComparer.Ordinal);
        var applied = 0;
        for (var i = 0; i < snapshot.Objects.Count; i++)
        {
            var obj = snapshot.Objects[i];
            string? subject = null;
            var error = obj.Kind switch
            {
                ObjectKind.NodePool => CollectNodePool(obj.Json, poolManifests, null),
                ObjectKind.NodeClass => CollectNodeClass(obj.Json, nodeClasses, null, out subject),
                _ => Upsert(obj.Kind, obj.Json, previousPods, now, null, out subject),
            };
            if (error is null)
            {
                applied++;
            }
            else
            {
                if (obj.Kind == ObjectKind.NodePool && NodePoolName(obj.Json) is { } invalidName)
                {
                    subject = invalidName;
                    invalidPools[invalidName] = obj.Json;
                }

                errors.Add(subject is null ? $"objects[{i}] ({obj.Kind}): {error}" : $"objects[{i}] ({obj.Kind} {subject}): {error}");
            }
        }

        await ReplaceNodeClassesAsync(nodeClasses);
        foreach (var name in invalidPools.Keys.Where(_nodePoolManifests.ContainsKey))
        {
            // As for a delta: a valid NodePool already in use stays in force when its new spec is refused.
            poolManifests.TryAdd(name, _nodePoolManifests[name]);
        }

        await ReplaceNodePoolsAsync(poolManifests);
        await ReplaceInvalidNodePoolsAsync(invalidPools, poolManifests);
        RestoreNominations();
        _session = snapshot.AgentSession;
        _sequence = snapshot.Sequence;
        _lastAgentContact = now;
        // After a restart the grain knows no nodes until this snapshot: its registered claims say which existed.
        foreach (var gone in previousNodes.Union(state.State.Claims.Values.Where(c => c.IsLive && c.NodeName is not null).Select(c => c.NodeName!), StringComparer.Ordinal)
            .Where(n => !_nodes.ContainsKey(n)).ToList())
        {
            await NodeGoneAsync(gone);
        }

        await AfterAgentChangesAsync(_nodes.Keys.ToList(), now);
        return new SyncResult(applied, 0, false, _sequence, errors);
    }

    async Task<SyncResult> IClusterGrain.ApplyDeltasAsync(DeltaBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        RequireRegistration();
        if (_session is null || batch.AgentSession != _session)
        {
            // Unknown session: after a restart, or a new agent. Only a snapshot can say what exists.
            return new SyncResult(0, 0, true, _sequence, ["unknown agent session: send a full snapshot"]);
        }

        var now = time.Now;
        _lastAgentContact = now;
        var applied = 0;
        var duplicates = 0;
        var errors = new List<string>();
        var touchedNodes = new List<string>();
        var resync = false;
        foreach (var delta in batch.Deltas)
        {
            if (delta.Sequence <= _sequence)
            {
                duplicates++;
                continue;
            }

            if (delta.Sequence != _sequence + 1)
            {
                errors.Add($"sequence {delta.Sequence} follows {_sequence}: changes were lost, send a full snapshot");
                resync = true;
                break;
            }

            var error = await ApplyAsync(delta, now, touchedNodes);
            // A bad object is reported and skipped; its sequence number is still consumed so the
            // stream goes on (the agent can resend the object fixed).
            _sequence = delta.Sequence;
            if (error is null)
            {
                applied++;
            }
            else
            {
                errors.Add($"sequence {delta.Sequence} ({delta.Kind} {Describe(delta)}): {error}");
            }
        }

        await AfterAgentChangesAsync(touchedNodes, now);
        return new SyncResult(applied, duplicates, resync, _sequence, errors);
    }

    private async Task<string?> ApplyAsync(ObjectDelta delta, DateTimeOffset now, List<string> touchedNodes)
    {
        if (delta.Type == DeltaType.Delete)
        {
            var key = $"{(delta.Namespace is { Length: > 0 } ns ? ns : "default")}/{delta.Name}";
            switch (delta.Kind)
            {
                case ObjectKind.Pod:
                    _pods.Remove(key);
                    _reportDirty = true;
                    break;
                case ObjectKind.Node:
                    if (_nodes.Remove(delta.Name))
                    {
                        await NodeGoneAsync(delta.Name);
                    }

                    break;
                case ObjectKind.NodePool:
                    if (_nodePools.Remove(delta.Name) | _nodePoolManifests.Remove(delta.Name) | _invalidNodePools.Remove(delta.Name))
                    {
                        await GrainFactory.GetGrain<INodePoolGrain>($"{ClusterId}/{delta.Name}").RemoveAsync();
                    }

                    break;
                case ObjectKind.DaemonSet:
                    _daemonSets.Remove(key);
                    break;
                case ObjectKind.PodDisruptionBudget:
                    _pdbs.Remove(key);
                    break;
                case ObjectKind.NodeClass:
                    await RemoveNodeClassAsync(delta.Name);
                    break;
                default:
                    return $"unknown kind {delta.Kind}";
            }

            return null;
        }

        if (string.IsNullOrEmpty(delta.Json))
        {
            return "an upsert needs the object's JSON";
        }

        if (delta.Kind == ObjectKind.NodePool)
        {
            var manifests = new Dictionary<string, string>(_nodePoolManifests, StringComparer.Ordinal);
            var error = CollectNodePool(delta.Json, manifests, delta.Name);
            if (error is null)
            {
                await ReplaceNodePoolsAsync(manifests);
            }
            else if (!_nodePoolManifests.ContainsKey(delta.Name) && !error.StartsWith(MisnamedPrefix, StringComparison.Ordinal))
            {
                // A NodePool the cluster does not use yet is kept invalid in its grain, so its status
                // (GET .../nodepools) says what is wrong; a valid one already in use stays in force.
                await GrainFactory.GetGrain<INodePoolGrain>($"{ClusterId}/{delta.Name}").SetSpecAsync(delta.Json);
                _invalidNodePools.Add(delta.Name);
            }

            return error;
        }

        if (delta.Kind == ObjectKind.NodeClass)
        {
            return await UpsertNodeClassAsync(delta);
        }

        var result = Upsert(delta.Kind, delta.Json, null, now, delta, out _);
        if (result is null && delta.Kind == ObjectKind.Node)
        {
            touchedNodes.Add(delta.Name);
        }

        return result;
    }

    /// <summary>
    /// Parses, checks and stores one object; null on success, else the problem (and nothing is stored).
    /// <paramref name="delta"/>, when the object came in one, must name the same object as its JSON.
    /// <paramref name="subject"/> is the object's name once read, for messages.
    /// </summary>
    private string? Upsert(ObjectKind kind, string json, Dictionary<string, TrackedPod>? previousPods, DateTimeOffset now, ObjectDelta? delta, out string? subject)
    {
        subject = null;
        try
        {
            switch (kind)
            {
                case ObjectKind.Pod:
                    var pod = KubernetesJson.Deserialize<V1Pod>(json);
                    if (pod?.Metadata?.Name is not { Length: > 0 } name)
                    {
                        return "metadata.name is required";
                    }

                    pod.Metadata.NamespaceProperty ??= "default";
                    var key = $"{pod.Metadata.NamespaceProperty}/{name}";
                    subject = key;
                    if (pod.Spec is null)
                    {
                        return "spec is required";
                    }

                    if (Misnamed(delta, key) is { } misnamed)
                    {
                        return misnamed;
                    }

                    if (pod.Status?.Phase is "Succeeded" or "Failed")
                    {
                        _pods.Remove(key);
                        _reportDirty = true;
                        return null;
                    }

                    if (Refused(ResourceValidation.PodSpec(pod.Spec, "spec")) is { } podProblem)
                    {
                        return podProblem;
                    }

                    TrackPod(key, PodSlimmer.Slim(pod), (previousPods ?? _pods).GetValueOrDefault(key), now);
                    return null;
                case ObjectKind.Node:
                    var node = KubernetesJson.Deserialize<V1Node>(json);
                    if (node?.Metadata?.Name is not { Length: > 0 } nodeName)
                    {
                        return "metadata.name is required";
                    }

                    subject = nodeName;
                    if ((Misnamed(delta, nodeName) ?? Refused(ResourceValidation.NodeStatus(node.Status))) is { } nodeProblem)
                    {
                        return nodeProblem;
                    }

                    _nodes[nodeName] = PodSlimmer.Slim(node);
                    _reportDirty = true;
                    return null;
                case ObjectKind.DaemonSet:
                    var ds = KubernetesJson.Deserialize<V1DaemonSet>(json);
                    if (ds?.Metadata?.Name is not { Length: > 0 } dsName || ds.Spec?.Template?.Spec is null)
                    {
                        return "metadata.name and spec.template.spec are required";
                    }

                    var dsKey = $"{ds.Metadata.NamespaceProperty ?? "default"}/{dsName}";
                    subject = dsKey;
                    if ((Misnamed(delta, dsKey) ?? Refused(ResourceValidation.PodSpec(ds.Spec.Template.Spec, "spec.template.spec"))) is { } dsProblem)
                    {
                        return dsProblem;
                    }

                    _daemonSets[dsKey] = ds;
                    return null;
                case ObjectKind.PodDisruptionBudget:
                    var pdb = KubernetesJson.Deserialize<V1PodDisruptionBudget>(json);
                    if (pdb?.Metadata?.Name is not { Length: > 0 } pdbName)
                    {
                        return "metadata.name is required";
                    }

                    var pdbKey = $"{pdb.Metadata.NamespaceProperty ?? "default"}/{pdbName}";
                    subject = pdbKey;
                    if (Misnamed(delta, pdbKey) is { } pdbProblem)
                    {
                        return pdbProblem;
                    }

                    _pdbs[pdbKey] = pdb;
                    return null;
                default:
                    return $"unknown kind {kind}";
            }
        }
        catch (System.Text.Json.JsonException ex)
        {
            return $"invalid JSON: {ex.Message}";
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or NotSupportedException)
        {
            // Found by fuzzing: KubernetesClient throws ArgumentException for a quantity like "4Gx" and
            // NotSupportedException for an int-or-string given an object: one bad object, not a failed resync.
            return $"invalid value: {ex.Message}";
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            // A shape validation missed: still one bad object, refused before anything of it was stored.
            logger.LogWarning(ex, "Cluster {Cluster}: a {Kind} object could not be read and was refused", ClusterId, kind);
            return $"could not be read ({ex.GetType().Name}: {ex.Message}); refused, nothing stored";
        }
    }

    private const string MisnamedPrefix = "the delta names ";

    /// <summary>
    /// A delta must name the object its JSON holds: stored under the JSON's name, a later delete by the
    /// delta's name would miss it and leave a phantom. Null when they agree (or there is no delta).
    /// <paramref name="actual"/> is "namespace/name" for namespaced kinds, the name otherwise.
    /// </summary>
    private static string? Misnamed(ObjectDelta? delta, string actual)
    {
        if (delta is null)
        {
            return null;
        }

        var named = actual.Contains('/', StringComparison.Ordinal)
            ? $"{(delta.Namespace is { Length: > 0 } ns ? ns : "default")}/{delta.Name}"
            : delta.Name;
        return named == actual ? null : $"{MisnamedPrefix}\"{named}\" but its object is \"{actual}\"; refused, nothing stored";
    }

    /// <summary>A refused quantity as the sync result reports it.</summary>
    private static string? Refused(QuantityProblem? problem) => problem?.Message;

    private void TrackPod(string key, V1Pod pod, TrackedPod? previous, DateTimeOffset now)
    {
        var tracked = new TrackedPod(pod, previous?.FirstSeen ?? now)
        {
            PendingSince = previous?.PendingSince,
            NodeClaim = previous?.NodeClaim,
            Reason = previous?.Reason ?? "waiting for the next provisioning batch",
        };
        if (previous?.Quarantine is not null)
        {
            if (previous.QuarantinedAs == KubernetesJson.Serialize(pod))
            {
                // The same pod again (a resync, a status change the slim form drops): still quarantined.
                tracked.Quarantine = previous.Quarantine;
                tracked.QuarantinedAs = previous.QuarantinedAs;
            }
            else
            {
                // A changed pod gets one new try.
                tracked.Reason = "waiting for the next provisioning batch";
                previous = null;
            }
        }

        _pods[key] = tracked;
        _reportDirty = true;
        if (tracked.IsPending)
        {
            if (tracked.PendingSince is null)
            {
                tracked.PendingSince = now;
                TriggerBatch();
            }
            else if (tracked.NodeClaim is null && previous is null)
            {
                TriggerBatch();
            }
        }
        else if (tracked.IsBound && previous is { IsPending: true, PendingSince: { } since })
        {
            var tags = new KeyValuePair<string, object?>[] { new("cluster", ClusterId) };
            KarpoTelemetry.PodSchedulingLatency.Record(Math.Max(0, (now - since).TotalSeconds), tags);
            if (pod.Metadata?.CreationTimestamp is { } created)
            {
                KarpoTelemetry.PodsStartupDuration.Record(Math.Max(0, (now - new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc))).TotalSeconds), tags);
            }

            tracked.PendingSince = null;
            tracked.NodeClaim = null;
        }
        else if (tracked.IsBound)
        {
            tracked.PendingSince = null;
            tracked.NodeClaim = null;
        }
    }

    /// <summary>
    /// Parses a NodePool manifest into <paramref name="manifests"/> (by name); null on success. A delta's
    /// NodePool must carry the name the delta gives (<paramref name="expectedName"/>).
    /// </summary>
    private static string? CollectNodePool(string json, Dictionary<string, string> manifests, string? expectedName)
    {
        try
        {
            var loaded = ManifestLoader.LoadText("nodepool", json);
            if (loaded.NodePools.Count != 1)
            {
                return "expected one karpenter.sh/v1 NodePool";
            }

            if (expectedName is not null && loaded.NodePools[0].Name != expectedName)
            {
                return $"{MisnamedPrefix}\"{expectedName}\" but its object is \"{loaded.NodePools[0].Name}\"; refused, nothing stored";
            }

            manifests[loaded.NodePools[0].Name] = json;
            return null;
        }
        catch (ManifestException ex)
        {
            return ex.Message;
        }
    }

    private async Task ReplaceNodePoolsAsync(Dictionary<string, string> manifests)
    {
        foreach (var removed in _nodePoolManifests.Keys.Where(k => !manifests.ContainsKey(k)).ToList())
        {
            _nodePoolManifests.Remove(removed);
            _nodePools.Remove(removed);
            await GrainFactory.GetGrain<INodePoolGrain>($"{ClusterId}/{removed}").RemoveAsync();
        }

        foreach (var (name, manifest) in manifests)
        {
            if (_nodePoolManifests.TryGetValue(name, out var old) && old == manifest && _nodePools.ContainsKey(name))
            {
                continue;
            }

            var changed = _nodePoolManifests.ContainsKey(name);
            _invalidNodePools.Remove(name);
            _nodePoolManifests[name] = manifest;
            _nodePools[name] = ManifestLoader.LoadText($"nodepool {name}", manifest).NodePools[0];
            await GrainFactory.GetGrain<INodePoolGrain>($"{ClusterId}/{name}").SetSpecAsync(manifest);
            if (changed)
            {
                await DetectDriftAsync(_nodePools[name]);
            }

            TriggerBatch();
        }
    }

    /// <summary>
    /// After a snapshot: the refused NodePools not in use are kept invalid in their grains, so their status says
    /// what is wrong (as a delta's would); invalid ones the snapshot no longer has are forgotten.
    /// </summary>
    private async Task ReplaceInvalidNodePoolsAsync(Dictionary<string, string> invalid, Dictionary<string, string> valid)
    {
        foreach (var gone in _invalidNodePools.Where(n => !invalid.ContainsKey(n) && !valid.ContainsKey(n)).ToList())
        {
            _invalidNodePools.Remove(gone);
            await GrainFactory.GetGrain<INodePoolGrain>($"{ClusterId}/{gone}").RemoveAsync();
        }

        foreach (var (name, json) in invalid.Where(p => !valid.ContainsKey(p.Key)))
        {
            await GrainFactory.GetGrain<INodePoolGrain>($"{ClusterId}/{name}").SetSpecAsync(json);
            _invalidNodePools.Add(name);
        }
    }

    /// <summary>metadata.name of a NodePool object that may not be a valid NodePool at all; null when there is none to read.</summary>
    private static string? NodePoolName(string json)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(json)?["metadata"]?["name"] is System.Text.Json.Nodes.JsonValue value
                && value.TryGetValue<string>(out var name) && name.Length > 0 ? name : null;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private async Task AfterAgentChangesAsync(IReadOnlyCollection<string> touchedNodes, DateTimeOffset now)
    {
        await JoinNodesAsync(touchedNodes);

        // Pods gone from a draining node, a replacement initialized: terminations and the queue move on now.
        await AdvanceDisruptionAsync();
        PublishGauges();
        ReportCapacity(now);
    }

    /// <summary>
    /// Registers and initializes the claims of <paramref name="nodes"/> (null: of every known node, when some claim
    /// still waits for its node). The reconcile needs the second form: a claim that
    /// learns its instance after that instance's Node arrived (a restart between launch and the index write) would
    /// otherwise wait for the Node to change again, which a real kubelet may not do for minutes.
    /// </summary>
    private async Task JoinNodesAsync(IReadOnlyCollection<string>? nodes)
    {
        // One claim per instance is what binding guarantees; state written before binding existed may
        // still hold an id twice, and the oldest claim keeps it rather than the whole tick failing.
        var byInstance = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (claimName, entry) in state.State.Claims.Where(c => c.Value.IsLive && c.Value.InstanceId is not null).OrderBy(c => c.Value.CreatedAt).ThenBy(c => c.Key, StringComparer.Ordinal))
        {
            if (!byInstance.TryAdd(entry.InstanceId!, claimName))
            {
                logger.LogError("NodeClaims {First} and {Second} of cluster {Cluster} both hold instance {Instance}; its node joins the first only",
                    byInstance[entry.InstanceId!], claimName, ClusterId, entry.InstanceId);
            }
        }

        if (nodes is null && !byInstance.Values.Any(c => state.State.Claims[c].Phase is NodeClaimPhase.Pending or NodeClaimPhase.Launched or NodeClaimPhase.Registered))
        {
            return;
        }

        // Nodes of a burst join together: their claims are told in parallel, each claim in order.
        var updates = new List<Task<(string Claim, NodeClaimInfo? Registered, NodeClaimInfo? Initialized)>>();
        foreach (var name in nodes ?? _nodes.Keys)
        {
            if (!_nodes.TryGetValue(name, out var node) || ClaimOf(node, byInstance) is not { } claimName)
            {
                continue;
            }

            var phase = state.State.Claims[claimName].Phase;
            var register = phase is NodeClaimPhase.Pending or NodeClaimPhase.Launched;
            // Karpenter's Initialized: Ready and its resources registered; until then the claim's own capacity stands in.
            var initialize = IsReady(node) && HasAllocatable(node) && phase is NodeClaimPhase.Pending or NodeClaimPhase.Launched or NodeClaimPhase.Registered;
            if (register || initialize)
            {
                updates.Add(UpdateClaimAsync(claimName, name, register, initialize));
            }
        }

        foreach (var (claimName, registered, initialized) in await Task.WhenAll(updates))
        {
            if (registered is not null)
            {
                Apply(claimName, registered);
            }

            if (initialized is not null)
            {
                Apply(claimName, initialized);
            }
        }
    }

    private async Task<(string Claim, NodeClaimInfo? Registered, NodeClaimInfo? Initialized)> UpdateClaimAsync(string claimName, string nodeName, bool register, bool initialize)
    {
        var claim = GrainFactory.GetGrain<INodeClaimGrain>($"{ClusterId}/{claimName}");
        var registered = register ? await claim.MarkRegisteredAsync(nodeName) : null;
        var initialized = initialize ? await claim.MarkInitializedAsync() : null;
        return (claimName, registered, initialized);
    }

    private static string? ClaimOf(V1Node node, Dictionary<string, string> byInstance)
    {
        var providerId = node.Spec?.ProviderID;
        if (string.IsNullOrEmpty(providerId))
        {
            return null;
        }

        var slash = providerId.LastIndexOf('/');
        return byInstance.GetValueOrDefault(slash >= 0 ? providerId[(slash + 1)..] : providerId);
    }

    private static bool HasAllocatable(V1Node node) =>
        node.Status?.Allocatable is { } a && a.ContainsKey("cpu") && a.ContainsKey("memory");

    private static bool IsReady(V1Node node) =>
        node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>A node left the cluster: as with Karpenter's finalizer, its NodeClaim goes too.</summary>
    private async Task NodeGoneAsync(string nodeName)
    {
        _podsOnNode.Remove(nodeName);
        _reportDirty = true;
        var claimName = state.State.Claims.FirstOrDefault(c => c.Value.IsLive && c.Value.NodeName == nodeName).Key;
        if (claimName is not null && Terminator.IsTerminating(claimName))
        {
            // Mid-termination (the agent carried out DeleteNode, or the node went by itself): nothing is left to drain.
            await Terminator.NodeGoneAsync(claimName);
        }
        else if (claimName is not null)
        {
            Apply(claimName, await GrainFactory.GetGrain<INodeClaimGrain>($"{ClusterId}/{claimName}").DeleteAsync("node deleted from the cluster"));
        }

        Outbox.DropNode(nodeName);
    }

    /// <summary>
    /// After a restart the pods come back from the agent without their nominations; the claims in
    /// flight say which pods they are for, so those pods are not planned a second time.
    /// </summary>
    private void RestoreNominations()
    {
        // Registered and initialized claims too: their pods may not be bound yet, and a pod that lost its
        // nomination would be planned again onto a second claim (found by the fault suite).
        foreach (var (name, entry) in state.State.Claims.Where(c => c.Value.Phase is NodeClaimPhase.Pending or NodeClaimPhase.Launched or NodeClaimPhase.Registered or NodeClaimPhase.Initialized))
        {
            foreach (var key in entry.Pods)
            {
                if (_pods.TryGetValue(key, out var pod) && pod.IsPending && pod.NodeClaim is null)
                {
                    pod.NodeClaim = name;
                    pod.Reason = $"nominated to NodeClaim {name} ({entry.Phase.ToString().ToLowerInvariant()})";
                }
            }
        }
    }

    private static string Describe(ObjectDelta delta) =>
        delta.Namespace is { Length: > 0 } ns ? $"{ns}/{delta.Name}" : delta.Name;

    private ClusterRegistration RequireRegistration() =>
        Registration ?? throw new InvalidOperationException($"cluster \"{ClusterId}\" is not registered");
}
