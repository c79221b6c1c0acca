using Karpenter.Orleans.Grains.Clusters.Termination;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Scheduling.Disruption;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Grains.Clusters.Disruption;

/// <summary>
/// Karpenter's disruption orchestration queue for one cluster. <see cref="StartAsync"/> takes a planner's
/// <see cref="DisruptionAction"/>: the candidates' nodes are tainted (nothing new lands there) and their claims
/// marked Disrupting, the replacements are launched; <see cref="ReconcileAsync"/> then waits until every
/// replacement is Initialized and hands the candidates to the termination flow. On a timeout
/// (clamp(80 ms × queued commands, 10 min, 1 h)) or a replacement that fails to launch, the candidates are
/// untainted and the command is given up. An interruption with a deadline (the cloud takes the instance) is
/// never given up: its candidates drain once every replacement is Initialized or at the deadline minus
/// <see cref="DrainMargin"/>, whichever comes first, and that drain force-deletes what is left
/// <see cref="ForceLead"/> before the deadline. The queue lives in the cluster's persisted state.
/// </summary>
internal sealed class DisruptionQueue(IDisruptionHost host, NodeTerminator terminator, ILogger logger)
{
    private static readonly TimeSpan PerCommand = TimeSpan.FromMilliseconds(80);
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);
    private static readonly TimeSpan KeepEndedFor = TimeSpan.FromMinutes(10);

    /// <summary>
    /// An interruption's drain starts this long before the deadline at the latest (half of a spot warning's two
    /// minutes), or at once for a shorter notice: time for evictions that respect PodDisruptionBudgets.
    /// </summary>
    public static readonly TimeSpan DrainMargin = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Pods still on an interrupted node this long before the deadline are deleted regardless of PDBs and
    /// do-not-disrupt: Kubernetes' default terminationGracePeriodSeconds, so they shut down before the instance goes.
    /// </summary>
    public static readonly TimeSpan ForceLead = TimeSpan.FromSeconds(30);

    private ClusterState State => host.State;

    /// <summary>True when the claim is a candidate or a replacement of a command still waiting (emptiness must leave it alone).</summary>
    public bool IsInvolved(string claim) =>
        State.Disruptions.Any(d => d.State == QueuedDisruptionState.Waiting && (d.Replacements.Contains(claim) || d.Candidates.Any(c => c.Claim == claim)));

    /// <summary>A waiting command's candidate: Disrupting, but not yet the termination flow's.</summary>
    public bool IsWaitingCandidate(string claim) =>
        State.Disruptions.Any(d => d.State == QueuedDisruptionState.Waiting && d.Candidates.Any(c => c.Claim == claim));

    /// <summary>
    /// Queues the action. Every node must be a live, initialized (or drifted) NodeClaim's and not already being
    /// disrupted; otherwise nothing changes and ArgumentException says which node and why.
    /// </summary>
    public async Task<QueuedDisruption> StartAsync(DisruptionAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action.Nodes.Count == 0)
        {
            throw new ArgumentException("a disruption needs at least one node", nameof(action));
        }

        if (action.Kind == DisruptionActionKind.Replace && action.Replacements.Count == 0)
        {
            throw new ArgumentException("a replace needs at least one replacement NodeClaim", nameof(action));
        }

        var candidates = new List<DisruptionCandidate>();
        foreach (var node in action.Nodes.Distinct(StringComparer.Ordinal))
        {
            var (claim, entry) = State.Claims.FirstOrDefault(c => c.Value.IsLive && c.Value.NodeName == node);
            if (claim is null)
            {
                throw new ArgumentException($"node {node}: no live NodeClaim of this cluster has it", nameof(action));
            }

            if (entry.Phase is not (NodeClaimPhase.Registered or NodeClaimPhase.Initialized or NodeClaimPhase.Drifted) || terminator.IsTerminating(claim) || IsInvolved(claim))
            {
                throw new ArgumentException($"node {node}: NodeClaim {claim} is {entry.Phase.ToString().ToLowerInvariant()} and already being disrupted or not ready", nameof(action));
            }

            candidates.Add(new DisruptionCandidate { Claim = claim, Node = node, PreviousPhase = entry.Phase });
        }

        var now = host.Now;
        var queued = State.Disruptions.Count(d => d.State == QueuedDisruptionState.Waiting) + 1;
        var timeout = TimeSpan.FromTicks(Math.Clamp(PerCommand.Ticks * queued, MinTimeout.Ticks, MaxTimeout.Ticks));
        // A candidate whose instance has a deadline (not a rebalance recommendation) makes the command an
        // interruption, whatever method chose it (an expired node can be interrupted too): it must drain in time.
        var instanceGoesAt = candidates.Select(c => State.Claims[c.Claim].InterruptionDeadline).Where(d => d is not null).Min();
        var command = new QueuedDisruption
        {
            Id = $"{action.Reason.ToString().ToLowerInvariant()}-{++State.DisruptionCounter}",
            Reason = action.Reason.ToString(),
            Method = action.Method.ToString(),
            Replace = action.Kind == DisruptionActionKind.Replace,
            Candidates = candidates,
            StartedAt = now,
            Deadline = instanceGoesAt ?? now + timeout,
            Interruption = instanceGoesAt is not null,
            State = QueuedDisruptionState.Waiting,
        };
        State.Disruptions.Add(command);
        foreach (var c in candidates)
        {
            terminator.Taint(c.Claim, c.Node);
            await host.MarkPhaseAsync(c.Claim, NodeClaimPhase.Disrupting, $"disruption: {action.Reason.ToString().ToLowerInvariant()} ({command.Id})");
        }

        // Written before any launch: a restart before the replacements are recorded gives the command up cleanly.
        await host.SaveAsync();
        logger.LogInformation("Cluster {Cluster}: disruption {Id} ({Method}, {Reason}) of {Nodes}; {Replacements} replacement(s), saving ${Saving:0.####}/h",
            host.ClusterId, command.Id, action.Method, action.Reason, string.Join(", ", action.Nodes), action.Replacements.Count, action.SavingPerHour);
        if (command.Replace)
        {
            IReadOnlyList<string> created;
            try
            {
                created = await host.CreateReplacementsAsync(action.Replacements);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                command.ReplacementsCreated = true;
                if (command.Interruption)
                {
                    // The instance goes anyway: the drain still runs in time and the provisioner places the pods.
                    logger.LogWarning("Cluster {Cluster}: interruption {Id}: the replacements could not be created ({Message}); draining without them",
                        host.ClusterId, command.Id, ex.Message);
                    await ReconcileAsync();
                    return command;
                }

                await FailAsync(command, $"the replacements could not be created: {ex.Message}");
                return command;
            }

            command.Replacements = [.. created];
            command.ReplacementsCreated = true;
            // Recorded now: a restart from here waits for these replacements instead of giving up (or, for an
            // interruption, draining without them).
            await host.SaveAsync();
            if (created.Count < action.Replacements.Count && !command.Interruption)
            {
                await FailAsync(command, $"only {created.Count} of {action.Replacements.Count} replacement NodeClaims could be created");
                return command;
            }
        }
        else
        {
            command.ReplacementsCreated = true;
        }

        await ReconcileAsync();
        return command;
    }

    /// <summary>Moves each waiting command on: gives it up on timeout or a failed replacement, deletes its candidates once every replacement is Initialized.</summary>
    public async Task ReconcileAsync()
    {
        var now = host.Now;
        foreach (var command in State.Disruptions.Where(d => d.State == QueuedDisruptionState.Waiting).ToList())
        {
            if (command.Interruption)
            {
                await ReconcileInterruptionAsync(command, now);
                continue;
            }

            if (!command.ReplacementsCreated)
            {
                await FailAsync(command, "interrupted before its replacements were recorded");
                continue;
            }

            if (now >= command.Deadline)
            {
                await FailAsync(command, $"timed out after {(command.Deadline - command.StartedAt).TotalMinutes:0} min waiting for replacements to initialize");
                continue;
            }

            var failed = command.Replacements.FirstOrDefault(r => !State.Claims.TryGetValue(r, out var e) || !e.IsLive);
            if (failed is not null)
            {
                var reason = State.Claims.TryGetValue(failed, out var e) ? e.Reason : "it is gone";
                await FailAsync(command, $"replacement NodeClaim {failed} failed: {reason}");
                continue;
            }

            if (command.Replacements.Any(r => State.Claims[r].InitializedAt is null))
            {
                continue;
            }

            await HandOverAsync(command, now, forceAt: null);
        }

        if (State.Disruptions.RemoveAll(d => d.EndedAt is { } ended && now - ended > KeepEndedFor) > 0)
        {
            await host.SaveAsync();
        }
    }

    /// <summary>
    /// A notice came for a claim already in the queue or the termination flow: a waiting command becomes an
    /// interruption (it no longer gives up, and drains in time), a drain in progress must end before the instance.
    /// </summary>
    public void OnInterruption(string claim, DateTimeOffset deadline)
    {
        foreach (var command in State.Disruptions.Where(d => d.State == QueuedDisruptionState.Waiting && d.Candidates.Any(c => c.Claim == claim)))
        {
            command.Deadline = command.Interruption ? Min(command.Deadline, deadline) : deadline;
            command.Interruption = true;
        }

        terminator.ForceBy(claim, deadline - ForceLead);
    }

    /// <summary>
    /// An interruption never gives up: a replacement that failed or a restart before the replacements were
    /// recorded only means there is nothing to wait for. The candidates drain once every live replacement is
    /// Initialized or the drain margin before the deadline has come.
    /// </summary>
    private async Task ReconcileInterruptionAsync(QueuedDisruption command, DateTimeOffset now)
    {
        command.ReplacementsCreated = true;
        var waitingFor = command.Replacements.Where(r => State.Claims.TryGetValue(r, out var e) && e.IsLive && e.InitializedAt is null).ToList();
        var drainAt = Max(command.StartedAt, command.Deadline - DrainMargin);
        if (waitingFor.Count > 0 && now < drainAt)
        {
            return;
        }

        if (waitingFor.Count > 0)
        {
            logger.LogWarning("Cluster {Cluster}: interruption {Id}: {Replacements} not initialized {Left:0} s before the instance goes; draining now",
                host.ClusterId, command.Id, string.Join(", ", waitingFor), (command.Deadline - now).TotalSeconds);
        }

        await HandOverAsync(command, now, command.Deadline - ForceLead);
    }

    /// <summary>The command is done: its live candidates go to the termination flow (with a time to force the drain by, for an interruption).</summary>
    private async Task HandOverAsync(QueuedDisruption command, DateTimeOffset now, DateTimeOffset? forceAt)
    {
        command.State = QueuedDisruptionState.Done;
        command.EndedAt = now;
        var reasonText = $"disruption: {command.Reason.ToLowerInvariant()} ({command.Id})";
        foreach (var c in command.Candidates)
        {
            if (State.Claims.TryGetValue(c.Claim, out var entry) && entry.IsLive)
            {
                KarpoTelemetry.NodeClaimsDisrupted.Add(1, new("cluster", host.ClusterId), new("nodepool", entry.NodePool), new("reason", command.Reason.ToLowerInvariant()),
                    new("capacity_type", entry.CapacityType ?? ""));
                await terminator.StartAsync(c.Claim, reasonText, forceAt);
            }
        }

        await host.SaveAsync();
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private async Task FailAsync(QueuedDisruption command, string message)
    {
        command.State = QueuedDisruptionState.Failed;
        command.EndedAt = host.Now;
        command.Message = message;
        logger.LogWarning("Cluster {Cluster}: disruption {Id} given up: {Message}; its nodes are untainted", host.ClusterId, command.Id, message);
        foreach (var c in command.Candidates)
        {
            if (State.Claims.TryGetValue(c.Claim, out var entry) && entry.IsLive && !terminator.IsTerminating(c.Claim))
            {
                terminator.Untaint(c.Claim, c.Node);
                await host.CancelDisruptionAsync(c.Claim, c.PreviousPhase);
            }
        }

        await host.SaveAsync();
    }
}
