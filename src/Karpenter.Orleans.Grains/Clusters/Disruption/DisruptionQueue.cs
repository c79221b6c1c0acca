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
/// untainted and the command is given up. The queue lives in the cluster's persisted state.
/// </summary>
internal sealed class DisruptionQueue(IDisruptionHost host, NodeTerminator terminator, ILogger logger)
{
    private static readonly TimeSpan PerCommand = TimeSpan.FromMilliseconds(80);
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);
    private static readonly TimeSpan KeepEndedFor = TimeSpan.FromMinutes(10);

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
        var command = new QueuedDisruption
        {
            Id = $"{action.Reason.ToString().ToLowerInvariant()}-{++State.DisruptionCounter}",
            Reason = action.Reason.ToString(),
            Method = action.Method.ToString(),
            Replace = action.Kind == DisruptionActionKind.Replace,
            Candidates = candidates,
            StartedAt = now,
            Deadline = now + timeout,
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
                await FailAsync(command, $"the replacements could not be created: {ex.Message}");
                return command;
            }

            command.Replacements = [.. created];
            command.ReplacementsCreated = true;
            if (created.Count < action.Replacements.Count)
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

            command.State = QueuedDisruptionState.Done;
            command.EndedAt = now;
            var reasonText = $"disruption: {command.Reason.ToLowerInvariant()} ({command.Id})";
            foreach (var c in command.Candidates)
            {
                if (State.Claims.TryGetValue(c.Claim, out var entry) && entry.IsLive)
                {
                    KarpoTelemetry.NodeClaimsDisrupted.Add(1, new("cluster", host.ClusterId), new("nodepool", entry.NodePool), new("reason", command.Reason.ToLowerInvariant()));
                    await terminator.StartAsync(c.Claim, reasonText);
                }
            }

            await host.SaveAsync();
        }

        if (State.Disruptions.RemoveAll(d => d.EndedAt is { } ended && now - ended > KeepEndedFor) > 0)
        {
            await host.SaveAsync();
        }
    }

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
