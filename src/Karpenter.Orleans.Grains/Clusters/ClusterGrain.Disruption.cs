using System.Diagnostics;
using System.Globalization;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Scheduling.Disruption;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>
/// The disruption controller's home in the service: the cluster's view turned into the planner's input, the
/// planner called (Scheduling decides), and what it decided explained per node.
/// </summary>
public sealed partial class ClusterGrain
{
    /// <summary>Per node: a fingerprint of its bound pods and when it last changed (consolidateAfter counts from there). In memory: after a restart the clock starts again, which only delays.</summary>
    private readonly Dictionary<string, (long Fingerprint, DateTimeOffset Since)> _podsOnNode = new(StringComparer.Ordinal);

    /// <summary>
    /// Consolidation commands chosen and waiting out the validation period, in the order chosen. In memory: after
    /// a restart they are chosen again, which only delays them.
    /// </summary>
    private readonly List<(DisruptionAction Command, DateTimeOffset ChosenAt)> _validating = [];

    /// <summary>
    /// Karpenter's disruption controller, once per reconcile and at once on a cloud notice: the planner
    /// (Scheduling) decides, in Karpenter's order of methods and within the NodePools' budgets; each action goes
    /// to the orchestration queue, which launches replacements first and hands the nodes to the termination
    /// flow. While provisioning is at work (pending pods, claims not yet initialized) only interruptions with a
    /// deadline are started, as Karpenter waits for the cluster state to settle before disrupting voluntarily
    /// but a spot warning leaves two minutes. Emptiness and consolidation commands wait out
    /// <see cref="ProvisioningOptions.ConsolidationValidationPeriod"/> and start only if they still hold then.
    /// </summary>
    private async Task DisruptAsync(DateTimeOffset now)
    {
        var podEvents = TrackPodEvents(now);
        var settling = _pods.Values.Any(p => p.IsPending && p.Quarantine is null) ||
            state.State.Claims.Values.Any(c => c.Phase is NodeClaimPhase.Pending or NodeClaimPhase.Launched or NodeClaimPhase.Registered);
        if (settling)
        {
            DropValidating("provisioning is at work (pending pods or NodeClaims not yet initialized)");
        }

        if (settling && !state.State.Claims.Any(c => c.Value.IsLive && c.Value.InterruptionDeadline is not null && !c.Value.IsDisrupting && !Disruption.IsInvolved(c.Key)))
        {
            return;
        }

        if (await DisruptionInputAsync(now, podEvents) is not { } input || input.Nodes.All(n => n.NodeClaim is null))
        {
            DropValidating("no node of the cluster is managed now");
            return;
        }

        if (_validating.Count > 0 && await StartValidatedAsync(now, input, podEvents) is { } changed)
        {
            input = changed;
        }

        var stopwatch = Stopwatch.StartNew();
        DisruptionPlan plan;
        try
        {
            plan = await solveGate.RunAsync(() => DisruptionPlanner.Plan(input, DisruptionOptions));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogError(ex, "Cluster {Cluster}: the disruption planner failed; nothing is disrupted this pass", ClusterId);
            return;
        }

        KarpoTelemetry.VoluntaryDisruptionEvaluationDuration.Record(stopwatch.Elapsed.TotalSeconds, new KeyValuePair<string, object?>("cluster", ClusterId));
        foreach (var (reason, count) in plan.EligibleNodes)
        {
            KarpoTelemetry.Gauges.Set(MetricNames.VoluntaryDisruptionEligibleNodes, count,
                new KeyValuePair<string, object?>("cluster", ClusterId), new KeyValuePair<string, object?>("reason", reason.ToString().ToLowerInvariant()));
        }

        foreach (var method in plan.StoppedAtLimit)
        {
            KarpoTelemetry.VoluntaryDisruptionConsolidationTimeouts.Add(1, new("cluster", ClusterId), new("consolidation_type", ConsolidationType(method)));
        }

        var forced = input.Nodes.Where(n => n.Interruption is { Type: not InterruptionType.RebalanceRecommendation }).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var waiting = _validating.Count > 0;
        foreach (var action in plan.Actions)
        {
            if (settling && !(action.Method == DisruptionMethod.Interruption && action.Nodes.All(forced.Contains)))
            {
                // Voluntary: waits until provisioning has settled.
                continue;
            }

            if (IsValidated(action.Method) && Options.ConsolidationValidationPeriod > TimeSpan.Zero)
            {
                // Karpenter validates one batch of consolidation at a time: a pass that finds commands waiting adds none.
                if (!waiting)
                {
                    _validating.Add((action, now));
                    logger.LogDebug("Cluster {Cluster}: {Action} chosen; validated in {Period}", ClusterId, Describe(action), Options.ConsolidationValidationPeriod);
                }

                continue;
            }

            await StartAsync(action);
        }

        await SaveIfChangedAsync();
    }

    /// <summary>Emptiness and consolidation wait out the validation period; drift, expiration and interruption start at once, as in Karpenter.</summary>
    private static bool IsValidated(DisruptionMethod method) =>
        method is DisruptionMethod.Emptiness or DisruptionMethod.MultiNodeConsolidation or DisruptionMethod.SingleNodeConsolidation;

    /// <summary>
    /// The commands whose validation period is over, re-checked in the order chosen against the cluster as it is
    /// now (Scheduling decides, <see cref="DisruptionPlanner.Revalidate"/>): each still valid (an emptiness command
    /// perhaps with fewer nodes) starts, the rest are dropped and the planner may choose them again. Returns the
    /// input as the started commands left it, or null when nothing started.
    /// </summary>
    private async Task<DisruptionInput?> StartValidatedAsync(DateTimeOffset now, DisruptionInput input, Dictionary<string, DateTimeOffset> podEvents)
    {
        var due = _validating.Where(v => now - v.ChosenAt >= Options.ConsolidationValidationPeriod).ToList();
        if (due.Count == 0)
        {
            return null;
        }

        _validating.RemoveAll(due.Contains);
        var started = false;
        foreach (var (command, _) in due)
        {
            if (started && await DisruptionInputAsync(now, podEvents) is { } after)
            {
                // The commands started before this one took their nodes: validate against that.
                input = after;
            }

            var result = DisruptionPlanner.Revalidate(command, input, DisruptionOptions);
            if (result.Command is not { } valid)
            {
                logger.LogInformation("Cluster {Cluster}: {Action} dropped after its validation period: {Why}", ClusterId, Describe(command),
                    string.Join("; ", result.Invalid.Select(b => b.Reason)));
                continue;
            }

            if (result.Invalid.Count > 0)
            {
                logger.LogInformation("Cluster {Cluster}: {Action} goes ahead without {Nodes}: {Why}", ClusterId, Describe(valid),
                    string.Join(", ", result.Invalid.Select(b => b.Node)), string.Join("; ", result.Invalid.Select(b => b.Reason)));
            }

            started |= await StartAsync(valid);
        }

        return started ? await DisruptionInputAsync(now, podEvents) : null;
    }

    private void DropValidating(string why)
    {
        if (_validating.Count > 0)
        {
            logger.LogInformation("Cluster {Cluster}: {Count} consolidation commands dropped before validation: {Why}", ClusterId, _validating.Count, why);
            _validating.Clear();
        }
    }

    /// <summary>Hands the action to the orchestration queue; false when the view moved and it could not start.</summary>
    private async Task<bool> StartAsync(DisruptionAction action)
    {
        try
        {
            await Disruption.StartAsync(action);
        }
        catch (ArgumentException ex)
        {
            // The view moved between planning and starting (a node left, a claim changed): the next pass plans again.
            logger.LogInformation("Cluster {Cluster}: disruption of {Nodes} not started: {Why}", ClusterId, string.Join(", ", action.Nodes), ex.Message);
            return false;
        }

        KarpoTelemetry.VoluntaryDisruptionDecisions.Add(1, new("cluster", ClusterId), new("decision", DisruptionNames.Kind(action.Kind)),
            new("reason", action.Reason.ToString().ToLowerInvariant()), new("consolidation_type", ConsolidationType(action.Method)));
        logger.LogInformation("Cluster {Cluster}: {Action}", ClusterId, Describe(action) + " (" + string.Join(", ", action.Nodes) + ")");
        return true;
    }

    /// <summary>
    /// A claim's instance got a notice from the cloud. A claim already in the queue or the termination flow has
    /// its deadline tightened (its drain must end before the instance does); otherwise a disruption pass runs now.
    /// </summary>
    private async Task OnInterruptionAsync(string claim, ClaimEntry entry)
    {
        logger.LogInformation("Cluster {Cluster}: NodeClaim {NodeClaim} has a {Kind} notice (deadline {Deadline})", ClusterId, claim,
            entry.Interruption!.Kind, entry.InterruptionDeadline?.ToString("O", CultureInfo.InvariantCulture) ?? "none");
        if (Registration is null)
        {
            return;
        }

        try
        {
            if (entry.InterruptionDeadline is { } deadline && (entry.IsDisrupting || Disruption.IsInvolved(claim)))
            {
                Disruption.OnInterruption(claim, deadline);
                await AdvanceDisruptionAsync();
            }
            else
            {
                await DisruptAsync(time.Now);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogWarning(ex, "Cluster {Cluster}: the interruption of NodeClaim {NodeClaim} was not acted on yet; retrying at the next reconcile", ClusterId, claim);
        }

        _stateDirty = true;
    }

    /// <summary>The cloud's notice as the planner reads it; a rebalance recommendation has no deadline (it orders by when it came).</summary>
    private static NodeInterruption? PlannerInterruption(ClaimEntry entry) => entry.Interruption switch
    {
        null or { Kind: InterruptionKind.Terminated } => null,
        { Kind: InterruptionKind.Rebalance } n => new NodeInterruption(InterruptionType.RebalanceRecommendation, n.At),
        { Kind: InterruptionKind.SpotInterruption } => new NodeInterruption(InterruptionType.SpotInterruption, entry.InterruptionDeadline!.Value),
        { Kind: InterruptionKind.ScheduledChange } => new NodeInterruption(InterruptionType.ScheduledChange, entry.InterruptionDeadline!.Value),
        _ => new NodeInterruption(InterruptionType.InstanceStopping, entry.InterruptionDeadline!.Value),
    };

    /// <summary>Updates each node's pod fingerprint and returns when its pods last changed.</summary>
    private Dictionary<string, DateTimeOffset> TrackPodEvents(DateTimeOffset now)
    {
        var fingerprints = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var p in _pods.Values.Where(p => p.IsBound && !p.IsDaemon))
        {
            // Order-free: a sum of the keys' hashes, plus the count.
            fingerprints[p.Pod.Spec.NodeName!] = fingerprints.GetValueOrDefault(p.Pod.Spec.NodeName!) + StringComparer.Ordinal.GetHashCode(p.Key) + (1L << 40);
        }

        var result = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var node in _nodes.Keys)
        {
            var fingerprint = fingerprints.GetValueOrDefault(node);
            if (!_podsOnNode.TryGetValue(node, out var seen) || seen.Fingerprint != fingerprint)
            {
                _podsOnNode[node] = seen = (fingerprint, now);
            }

            result[node] = seen.Since;
        }

        foreach (var gone in _podsOnNode.Keys.Where(n => !_nodes.ContainsKey(n)).ToList())
        {
            _podsOnNode.Remove(gone);
        }

        return result;
    }

    async Task<DisruptionExplanation> IClusterGrain.ExplainDisruptionAsync()
    {
        var now = time.Now;
        if (await DisruptionInputAsync(now, TrackPodEvents(now)) is not { } input)
        {
            return new DisruptionExplanation(ClusterId, now, [], 0, 0);
        }

        var plan = await solveGate.RunAsync(() => DisruptionPlanner.Plan(input, DisruptionOptions));
        var nodes = input.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var rows = new List<NodeDisruption>();
        foreach (var e in DisruptionPlanner.Explain(input, plan).OrderBy(e => e.Node, StringComparer.Ordinal))
        {
            var node = nodes[e.Node];
            var (decision, method, reason) = e switch
            {
                { Action: { } action } => (DisruptionNames.Kind(action.Kind), DisruptionNames.Method(action.Method), Describe(action)),
                { Blocked: { } blocked } => ("blocked", (string?)null, blocked.Reason),
                _ => ("none", null, "nothing to do"),
            };
            rows.Add(new NodeDisruption(node.Name, node.NodeClaim, node.NodePool, node.InstanceType, node.CapacityType,
                Math.Round(node.PricePerHour, 6), decision, method, reason));
        }

        return new DisruptionExplanation(ClusterId, now, rows, Math.Round(plan.Summary.PricePerHourBefore, 6), Math.Round(plan.Summary.PricePerHourAfter, 6));
    }

    private DisruptionOptions DisruptionOptions => new()
    {
        MinSavingPerPodPerHour = Options.ConsolidationMinSavingPerPodPerHour,
        MultiNodeCandidateLimit = Options.MultiNodeConsolidationLimit,
        SingleNodeCandidateLimit = Options.SingleNodeConsolidationLimit,
    };

    /// <summary>
    /// The cluster as the planner sees it: every node with its claim (price, phase, drift, interruption), the
    /// pods bound and pending, DaemonSets, PDBs and NodePools. Null before registration or without NodePools.
    /// </summary>
    private async Task<DisruptionInput?> DisruptionInputAsync(DateTimeOffset now, Dictionary<string, DateTimeOffset> podEvents)
    {
        if (Registration is not { } registration || _nodePools.Count == 0)
        {
            return null;
        }

        var catalog = await RegionCatalogAsync(registration);
        var claimsByNode = state.State.Claims.Where(c => c.Value.IsLive && c.Value.NodeName is not null)
            .GroupBy(c => c.Value.NodeName!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(c => c.Value.CreatedAt).First(), StringComparer.Ordinal);
        var nominated = _pods.Values.Where(p => p.IsPending && p.NodeClaim is not null).Select(p => p.NodeClaim!).ToHashSet(StringComparer.Ordinal);

        var nodes = new List<ClusterNode>();
        foreach (var (name, node) in _nodes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            if (!claimsByNode.TryGetValue(name, out var claim))
            {
                nodes.Add(new ClusterNode { Node = node, CreatedAt = now });
                continue;
            }

            var (claimName, entry) = claim;
            nodes.Add(new ClusterNode
            {
                Node = node,
                NodeClaim = claimName,
                NodePool = entry.NodePool,
                InstanceType = entry.InstanceType,
                Zone = entry.Zone,
                CapacityType = entry.CapacityType,
                PricePerHour = entry.PricePerHour,
                CreatedAt = entry.CreatedAt,
                InitializedAt = entry.Phase is NodeClaimPhase.Initialized or NodeClaimPhase.Drifted ? entry.InitializedAt ?? entry.CreatedAt : null,
                LastPodEventAt = podEvents.TryGetValue(name, out var at) ? at : null,
                Drifted = entry.Phase == NodeClaimPhase.Drifted ? entry.Reason ?? "drifted" : null,
                Deleting = entry.IsDisrupting || Disruption.IsInvolved(claimName) || node.Metadata?.DeletionTimestamp is not null ||
                    entry.Phase is not (NodeClaimPhase.Registered or NodeClaimPhase.Initialized or NodeClaimPhase.Drifted),
                Nominated = nominated.Contains(claimName),
                Interruption = PlannerInterruption(entry),
            });
        }

        return new DisruptionInput
        {
            Catalog = catalog,
            // As provisioning sees them: a node class's kubelet settings change what each type holds.
            NodePools = _nodePools.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => WithNodeClass(registration, p)).ToList(),
            Nodes = nodes,
            Pods = _pods.Values.Where(p => p.Quarantine is null && (p.IsBound || p.IsPending)).Select(p => p.Pod).ToList(),
            DaemonSets = _daemonSets.Values.ToList(),
            PodDisruptionBudgets = _pdbs.Values.ToList(),
            Now = now,
        };
    }

    private static string ConsolidationType(DisruptionMethod method) => method switch
    {
        DisruptionMethod.Emptiness => "empty",
        DisruptionMethod.MultiNodeConsolidation => "multi",
        DisruptionMethod.SingleNodeConsolidation => "single",
        // Karpenter's drift (and the forceful methods) have no consolidation type: an empty label.
        _ => "",
    };

    private static string Describe(DisruptionAction action)
    {
        var saving = action.SavingPerHour.ToString("0.####", CultureInfo.InvariantCulture);
        var what = action.Kind == DisruptionActionKind.Delete
            ? $"delete {Plural(action.Nodes.Count, "node")}"
            : $"replace {Plural(action.Nodes.Count, "node")} with {string.Join(", ", action.Replacements.Select(r => $"{r.InstanceType} {r.CapacityType} in {r.Zone}"))}";
        return $"{DisruptionNames.Method(action.Method)}: {what}, {action.Moves.Count} pods move, saves ${saving}/h";
    }

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
