using k8s;
using k8s.Models;
using Karpenter.Orleans.Grains.Clusters.Disruption;
using Karpenter.Orleans.Grains.Clusters.Termination;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>
/// The cluster's side of termination and disruption: the agent's command channel, the termination flow and
/// the orchestration queue run on this grain's state (see <see cref="NodeTerminator"/> and <see cref="DisruptionQueue"/>).
/// </summary>
public sealed partial class ClusterGrain : IDisruptionHost
{
    private CommandOutbox? _commandOutbox;
    private NodeTerminator? _terminator;
    private DisruptionQueue? _disruption;

    /// <summary>Pods by node for one pass over the terminations (a pass asks once per draining node; scanning every pod each time would be quadratic).</summary>
    private Dictionary<string, List<TrackedPod>>? _podsByNode;
    private bool _indexPods;

    private CommandOutbox Outbox => _commandOutbox ??= new CommandOutbox(() => state.State.Commands);

    private NodeTerminator Terminator => _terminator ??= new NodeTerminator(this, Outbox, logger);

    /// <summary>The orchestration queue: the integrator's planner hands it each <see cref="DisruptionAction"/> through <see cref="DisruptionQueue.StartAsync"/>.</summary>
    private DisruptionQueue Disruption => _disruption ??= new DisruptionQueue(this, Terminator, logger);

    async Task<NodeClaimInfo?> IClusterGrain.DeleteNodeClaimAsync(string name, string reason)
    {
        RequireRegistration();
        if (string.IsNullOrEmpty(name) || !state.State.Claims.TryGetValue(name, out var entry))
        {
            return null;
        }

        if (entry.IsLive)
        {
            await Terminator.StartAsync(name, string.IsNullOrWhiteSpace(reason) ? "deleted" : reason);
            await SaveIfChangedAsync();
        }

        return InfoOf(name, state.State.Claims[name]);
    }

    Task<IReadOnlyList<ClusterCommand>> IClusterGrain.GetCommandsAsync()
    {
        RequireRegistration();
        return Task.FromResult(Outbox.Pending);
    }

    async Task<CommandAckResult> IClusterGrain.AcknowledgeCommandsAsync(IReadOnlyList<CommandAck> acks)
    {
        ArgumentNullException.ThrowIfNull(acks);
        RequireRegistration();
        var applied = 0;
        var ignored = 0;
        foreach (var ack in acks)
        {
            if (ack?.Id is not { Length: > 0 } id || Outbox.Take(id) is not { } command)
            {
                ignored++;
                continue;
            }

            applied++;
            Terminator.OnAck(command, ack);
        }

        if (applied > 0)
        {
            await AdvanceDisruptionAsync();
        }

        return new CommandAckResult(applied, ignored);
    }

    async Task<DisruptionStatus> IClusterGrain.DisruptAsync(DisruptionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var registration = RequireRegistration();
        if (request.Nodes is not { Count: > 0 })
        {
            throw new ArgumentException("nodes: name at least one node", nameof(request));
        }

        if (!Enum.TryParse<DisruptionReason>(request.Reason, ignoreCase: true, out var reason) || !Enum.IsDefined(reason))
        {
            throw new ArgumentException($"reason must be one of {string.Join(", ", Enum.GetNames<DisruptionReason>())}", nameof(request));
        }

        var candidates = request.Nodes.Select(n => state.State.Claims.Values.FirstOrDefault(c => c.IsLive && c.NodeName == n)).ToList();
        if (candidates.IndexOf(null) is >= 0 and var missing)
        {
            throw new ArgumentException($"node {request.Nodes[missing]}: no live NodeClaim of this cluster has it", nameof(request));
        }

        var replacements = request.Replace ? await PlanReplacementsAsync(registration, request.Nodes) : [];
        var action = new DisruptionAction
        {
            Method = reason switch
            {
                DisruptionReason.Empty => DisruptionMethod.Emptiness,
                DisruptionReason.Drifted => DisruptionMethod.Drift,
                DisruptionReason.Expired => DisruptionMethod.Expiration,
                DisruptionReason.Interrupted => DisruptionMethod.Interruption,
                _ => request.Nodes.Count > 1 ? DisruptionMethod.MultiNodeConsolidation : DisruptionMethod.SingleNodeConsolidation,
            },
            Reason = reason,
            Kind = request.Replace ? DisruptionActionKind.Replace : DisruptionActionKind.Delete,
            Nodes = request.Nodes,
            Replacements = replacements,
            SavingPerHour = candidates.Sum(c => c?.PricePerHour ?? 0) - replacements.Sum(r => r.PricePerHour),
        };
        var queued = await Disruption.StartAsync(action);
        await SaveIfChangedAsync();
        return queued.ToStatus();
    }

    Task<IReadOnlyList<DisruptionStatus>> IClusterGrain.GetDisruptionsAsync()
    {
        IReadOnlyList<DisruptionStatus> list = state.State.Disruptions.Select(d => d.ToStatus()).ToList();
        return Task.FromResult(list);
    }

    /// <summary>Moves terminations and the queue on after news (acks, deltas, claim phases); writes the state when anything changed.</summary>
    private async Task AdvanceDisruptionAsync()
    {
        // Nothing in a pass changes which pod is bound where, and the grain's turn is not interleaved.
        _indexPods = true;
        try
        {
            await Terminator.AdoptAsync(Disruption.IsWaitingCandidate);
            await Disruption.ReconcileAsync();
            await Terminator.AdvanceAllAsync();
        }
        finally
        {
            _indexPods = false;
            _podsByNode = null;
        }

        await SaveIfChangedAsync();
    }

    private async Task SaveIfChangedAsync()
    {
        if (Outbox.Changed)
        {
            await ((ITerminationHost)this).SaveAsync();
        }
    }

    /// <summary>
    /// NodeClaims for the pods of <paramref name="nodes"/> alone, as the provisioning solver would plan them
    /// with those nodes gone: what an explicit replace launches before the nodes drain.
    /// </summary>
    private async Task<IReadOnlyList<PlannedNodeClaim>> PlanReplacementsAsync(ClusterRegistration registration, IReadOnlyList<string> nodes)
    {
        var names = nodes.ToHashSet(StringComparer.Ordinal);
        var moving = _pods.Values.Where(p => p.IsBound && !p.IsDaemon && names.Contains(p.Pod.Spec.NodeName!)).Select(p =>
        {
            var copy = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(p.Pod));
            copy.Spec.NodeName = null;
            copy.Status = new V1PodStatus { Phase = "Pending" };
            return copy;
        }).ToList();
        if (moving.Count == 0)
        {
            throw new ArgumentException("replace: the nodes have no pods to move; delete them instead", nameof(nodes));
        }

        var catalog = await RegionCatalogAsync(registration);
        // The node class's kubelet settings size the replacement as provisioning would; applied here, on the grain's
        // turn, because the solve below runs off it.
        var nodePools = _nodePools.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => WithNodeClass(registration, p)).ToList();
        var result = await solveGate.RunAsync(() => solver.Solve(new SchedulingInput
        {
            Catalog = catalog,
            NodePools = nodePools,
            Pods = moving,
            DaemonSets = _daemonSets.Values.ToList(),
            PodDisruptionBudgets = _pdbs.Values.ToList(),
        }));
        if (result.Unschedulable.Count > 0)
        {
            throw new ArgumentException($"replace: pod {result.Unschedulable[0].Pod} fits no NodeClaim ({result.Unschedulable[0].Reason})", nameof(nodes));
        }

        return result.NodeClaims;
    }

    private NodeClaimInfo InfoOf(string name, ClaimEntry e) => new(ClusterId, name, e.NodePool, e)
    {
        Labels = new Dictionary<string, string>(e.Labels, StringComparer.Ordinal),
        Taints = [.. e.Taints],
    };

    // ---------------------------------------------------------------- IDisruptionHost

    string ITerminationHost.ClusterId => ClusterId;

    DateTimeOffset ITerminationHost.Now => time.Now;

    ClusterState ITerminationHost.State => state.State;

    bool ITerminationHost.AgentSynced => _session is not null;

    bool ITerminationHost.HasNode(string node) => _nodes.ContainsKey(node);

    IReadOnlyList<TrackedPod> ITerminationHost.PodsOn(string node)
    {
        if (!_indexPods)
        {
            return _pods.Values.Where(p => p.Pod.Spec?.NodeName == node).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        }

        _podsByNode ??= _pods.Values.Where(p => p.IsBound).GroupBy(p => p.Pod.Spec.NodeName!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.Key, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        return _podsByNode.TryGetValue(node, out var pods) ? pods : [];
    }

    IReadOnlyCollection<V1Pod> ITerminationHost.AllPods() => _pods.Values.Select(p => p.Pod).ToList();

    IReadOnlyList<V1PodDisruptionBudget> ITerminationHost.PodDisruptionBudgets => _pdbs.Values.ToList();

    TimeSpan? ITerminationHost.TerminationGracePeriod(string nodePool) =>
        _nodePools.TryGetValue(nodePool, out var pool) ? pool.TerminationGracePeriod : null;

    async Task ITerminationHost.MarkPhaseAsync(string claim, NodeClaimPhase phase, string reason)
    {
        var info = await GrainFactory.GetGrain<INodeClaimGrain>($"{ClusterId}/{claim}").MarkDisruptionPhaseAsync(phase, reason);
        Apply(claim, info);
        _reportDirty = true;
    }

    async Task ITerminationHost.TerminateAsync(string claim, string reason)
    {
        Apply(claim, await GrainFactory.GetGrain<INodeClaimGrain>($"{ClusterId}/{claim}").DeleteAsync(reason));
        _reportDirty = true;
    }

    async Task ITerminationHost.SaveAsync()
    {
        await state.WriteStateAsync();
        Outbox.Changed = false;
    }

    async Task<IReadOnlyList<string>> IDisruptionHost.CreateReplacementsAsync(IReadOnlyList<PlannedNodeClaim> plans)
    {
        var registration = RequireRegistration();
        var types = (await RegionCatalogAsync(registration)).InstanceTypes.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var known = plans.Where(p => types.ContainsKey(p.InstanceType)).ToList();
        var created = await CreateClaimsAsync(registration, known, types, awaitLaunches: true);
        return created.Select(c => c.Name).ToList();
    }

    async Task IDisruptionHost.CancelDisruptionAsync(string claim, NodeClaimPhase phase)
    {
        var info = await GrainFactory.GetGrain<INodeClaimGrain>($"{ClusterId}/{claim}").CancelDisruptionAsync(phase);
        if (state.State.Claims.TryGetValue(claim, out var entry) && info.Phase != NodeClaimPhase.Terminated)
        {
            // Backwards on purpose, which Apply (phases only move forward) would refuse.
            entry.Phase = info.Phase;
            entry.Reason = info.Reason;
            _reportDirty = true;
        }
    }
}
