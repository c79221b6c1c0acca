using k8s.Models;
using Karpenter.Orleans.Scheduling.Termination;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Grains.Clusters.Termination;

/// <summary>
/// Karpenter's termination controller for one cluster. A NodeClaim being deleted goes Disrupting (taint
/// karpenter.sh/disrupted:NoSchedule on its node) → Draining (evict the pods through the Eviction API in
/// <see cref="EvictionOrder"/>'s four groups, workloads before DaemonSet pods before critical pods, within what
/// each PodDisruptionBudget allows; a refusal is retried with backoff and never forced; do-not-disrupt pods are
/// waited on; pods tolerating the taint and mirror pods stay) → Terminating (once no pod the drain waits on is
/// left, or the NodePool's terminationGracePeriod has passed and the remaining pods were deleted: terminate the
/// instance, delete the Node) → Terminated. Each step lives in
/// the cluster's persisted state, so a restart resumes where it stopped; commands reach the cluster through
/// the <see cref="CommandOutbox"/>.
/// </summary>
internal sealed class NodeTerminator(ITerminationHost host, CommandOutbox outbox, ILogger logger)
{
    public const string DisruptedTaint = "karpenter.sh/disrupted:NoSchedule";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(10);

    /// <summary>How long an evicted (or deleted) pod may take to disappear from the agent's view before it is asked again.</summary>
    private static readonly TimeSpan EvictedPodGrace = TimeSpan.FromSeconds(30);

    private bool _inPass;
    private IReadOnlyDictionary<string, int>? _passBudgets;

    private ClusterState State => host.State;

    public bool IsTerminating(string claim) => State.Terminations.ContainsKey(claim);

    /// <summary>
    /// Starts the termination of a live claim (no-op when it is already terminating or gone) and takes it as far as
    /// it can go now. <paramref name="forceAt"/> (an interruption: the instance goes at a known time) ends the
    /// grace period then if the NodePool's terminationGracePeriod would end later.
    /// </summary>
    public async Task StartAsync(string claim, string reason, DateTimeOffset? forceAt = null)
    {
        if (!State.Claims.TryGetValue(claim, out var entry) || !entry.IsLive || State.Terminations.ContainsKey(claim))
        {
            return;
        }

        var grace = host.TerminationGracePeriod(entry.NodePool);
        State.Terminations[claim] = new ClaimTermination
        {
            Reason = reason,
            Node = entry.NodeName,
            StartedAt = host.Now,
            GracePeriodEndsAt = Earliest(grace is { } g ? host.Now + g : null, forceAt),
            Step = NodeClaimPhase.Disrupting,
        };
        outbox.Changed = true;
        logger.LogInformation("NodeClaim {Cluster}/{NodeClaim} terminating ({Reason}); node {Node}", host.ClusterId, claim, reason, entry.NodeName ?? "(none)");
        if (entry.Phase < NodeClaimPhase.Disrupting)
        {
            await host.MarkPhaseAsync(claim, NodeClaimPhase.Disrupting, reason);
        }

        await AdvanceAsync(claim);
    }

    /// <summary>A termination in progress must have its pods gone by <paramref name="at"/> (its instance got a notice); no-op for another claim.</summary>
    public void ForceBy(string claim, DateTimeOffset at)
    {
        if (State.Terminations.TryGetValue(claim, out var t) && !(t.GracePeriodEndsAt <= at))
        {
            t.GracePeriodEndsAt = at;
            outbox.Changed = true;
        }
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>Issues the karpenter.sh/disrupted taint for the claim's node unless it is on or asked for.</summary>
    public void Taint(string claim, string node)
    {
        var entry = State.Claims[claim];
        if (entry.Tainted || entry.TaintCommand is not null)
        {
            return;
        }

        entry.TaintAttempts++;
        entry.TaintCommand = $"{claim}/taint/{entry.TaintAttempts}";
        outbox.Issue(entry.TaintCommand, ClusterCommandKind.TaintNode, node, host.Now, taint: DisruptedTaint);
    }

    /// <summary>Takes the taint off again (a disruption given up); the service stops counting on it at once.</summary>
    public void Untaint(string claim, string node)
    {
        var entry = State.Claims[claim];
        if (entry.TaintCommand is { } pending)
        {
            outbox.Take(pending);
        }

        entry.TaintCommand = null;
        entry.Tainted = false;
        entry.TaintAttempts++;
        outbox.Issue($"{claim}/untaint/{entry.TaintAttempts}", ClusterCommandKind.UntaintNode, node, host.Now, taint: DisruptedTaint);
    }

    /// <summary>
    /// Claims in a disruption phase with no termination record (their grain was deleted by an older version,
    /// or interrupted) are taken into the flow, so every such claim ends.
    /// </summary>
    public async Task AdoptAsync(Func<string, bool> heldElsewhere)
    {
        foreach (var (name, entry) in State.Claims.Where(c => c.Value.IsDisrupting && !State.Terminations.ContainsKey(c.Key) && !heldElsewhere(c.Key)).ToList())
        {
            await StartAsync(name, entry.Reason ?? "disrupted");
        }
    }

    /// <summary>Drives every termination in progress one step further where it can.</summary>
    public async Task AdvanceAllAsync()
    {
        // One pass counts the PodDisruptionBudgets once and spends them node by node.
        _inPass = true;
        try
        {
            foreach (var claim in State.Terminations.Keys.ToList())
            {
                try
                {
                    await AdvanceAsync(claim);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    logger.LogWarning(ex, "Termination of NodeClaim {Cluster}/{NodeClaim} did not advance; retrying at the next reconcile", host.ClusterId, claim);
                }
            }
        }
        finally
        {
            _inPass = false;
            _passBudgets = null;
        }
    }

    /// <summary>The claim's node left the cluster: nothing is left to drain.</summary>
    public async Task NodeGoneAsync(string claim)
    {
        if (State.Terminations.TryGetValue(claim, out var t) && t.Step < NodeClaimPhase.Terminating)
        {
            t.Step = NodeClaimPhase.Terminating;
            t.NodeDeleteIssued = true;
            outbox.Changed = true;
        }

        await AdvanceAsync(claim);
    }

    /// <summary>Takes an agent's answer to one of the termination's commands.</summary>
    public void OnAck(CommandEntry command, CommandAck ack)
    {
        var slash = command.Id.IndexOf('/', StringComparison.Ordinal);
        var claim = slash > 0 ? command.Id[..slash] : command.Id;
        State.Claims.TryGetValue(claim, out var entry);
        switch (command.Kind)
        {
            case ClusterCommandKind.TaintNode when entry is not null && entry.TaintCommand == command.Id:
                entry.TaintCommand = null;
                if (ack.Outcome == CommandOutcome.Done)
                {
                    entry.Tainted = true;
                }
                else
                {
                    // Issued again at the next step: without the taint kube-scheduler would bind evicted pods right back.
                    logger.LogWarning("Cluster {Cluster}: tainting node {Node} {Outcome}: {Message}", host.ClusterId, command.Node, ack.Outcome, ack.Message);
                }

                break;
            case ClusterCommandKind.EvictPod or ClusterCommandKind.DeletePod
                when State.Terminations.TryGetValue(claim, out var t) && t.Evictions.TryGetValue($"{command.Namespace}/{command.Pod}", out var eviction) && eviction.Outstanding == command.Id:
                eviction.Outstanding = null;
                if (ack.Outcome == CommandOutcome.Done)
                {
                    eviction.Accepted = true;
                    eviction.NextAttemptAt = host.Now + EvictedPodGrace;
                }
                else
                {
                    // Karpenter's eviction queue: 429 (a PodDisruptionBudget) is retried with backoff, 100 ms doubling to 10 s.
                    var backoff = TimeSpan.FromTicks(Math.Min(LastRetry.Ticks, FirstRetry.Ticks << Math.Min(eviction.Attempts - 1, 20)));
                    eviction.NextAttemptAt = host.Now + backoff;
                    eviction.LastRefusal = ack.Message ?? ack.Outcome.ToString().ToLowerInvariant();
                    if (ack.Outcome == CommandOutcome.Failed)
                    {
                        logger.LogWarning("Cluster {Cluster}: {Kind} of pod {Namespace}/{Pod} failed: {Message}", host.ClusterId, command.Kind, command.Namespace, command.Pod, ack.Message);
                    }
                }

                break;
            case ClusterCommandKind.DeleteNode when ack.Outcome != CommandOutcome.Done:
                // The instance is terminated already; the Node object goes with it when the agent sees the kubelet leave.
                logger.LogWarning("Cluster {Cluster}: deleting node {Node} {Outcome}: {Message}", host.ClusterId, command.Node, ack.Outcome, ack.Message);
                break;
        }
    }

    private async Task AdvanceAsync(string claim)
    {
        if (!State.Terminations.TryGetValue(claim, out var t))
        {
            return;
        }

        if (!State.Claims.TryGetValue(claim, out var entry) || !entry.IsLive)
        {
            State.Terminations.Remove(claim);
            outbox.Changed = true;
            return;
        }

        // Until the agent's snapshot is in, an empty view means "not told yet", not "no pods".
        if (!host.AgentSynced && t.Step < NodeClaimPhase.Terminating)
        {
            return;
        }

        var node = t.Node ?? entry.NodeName;
        var nodePresent = node is not null && host.HasNode(node);
        if (t.Step == NodeClaimPhase.Disrupting)
        {
            if (nodePresent && !host.PodsOn(node!).Any(p => EvictionOrder.IsWaitedOn(p.Pod, host.Now)))
            {
                // An empty node drains instantly: the taint goes out, but nothing waits for it.
                Taint(claim, node!);
                t.Step = NodeClaimPhase.Terminating;
            }
            else if (nodePresent)
            {
                Taint(claim, node!);
                if (!entry.Tainted)
                {
                    return;
                }

                t.Step = NodeClaimPhase.Draining;
                outbox.Changed = true;
                await host.MarkPhaseAsync(claim, NodeClaimPhase.Draining, t.Reason);
            }
            else
            {
                t.Step = NodeClaimPhase.Terminating;
            }
        }

        if (t.Step == NodeClaimPhase.Draining)
        {
            if (nodePresent && !Drained(claim, t, node!))
            {
                return;
            }

            t.Step = NodeClaimPhase.Terminating;
            outbox.Changed = true;
        }

        // Terminating: the step is written first, so a restart from here terminates without draining again.
        if (nodePresent && !t.NodeDeleteIssued)
        {
            outbox.Issue($"{claim}/delete-node", ClusterCommandKind.DeleteNode, node!, host.Now);
            t.NodeDeleteIssued = true;
        }

        outbox.Changed = true;
        await host.SaveAsync();
        await host.TerminateAsync(claim, t.Reason);
        if (!State.Claims.TryGetValue(claim, out var after) || !after.IsLive)
        {
            State.Terminations.Remove(claim);
        }
    }

    /// <summary>
    /// True when no pod the drain waits on is left; otherwise issues what <see cref="EvictionOrder.Decide"/> says
    /// the pods need now: evictions for the current group within the PodDisruptionBudgets, or deletions past the grace period.
    /// </summary>
    private bool Drained(string claim, ClaimTermination t, string node)
    {
        var pods = host.PodsOn(node);
        var now = host.Now;
        var asked = new HashSet<string>(StringComparer.Ordinal);
        var backingOff = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, eviction) in t.Evictions)
        {
            if (IsUnderWay(eviction, now))
            {
                asked.Add(key);
            }
            else if (eviction.NextAttemptAt is { } next && now < next)
            {
                backingOff.Add(key);
            }
        }

        var graceOver = t.GracePeriodEndsAt is { } end && now >= end;
        var decision = EvictionOrder.Decide(new DrainInput
        {
            Pods = pods.Select(p => p.Pod).ToList(),
            Asked = asked,
            BackingOff = backingOff,
            PodDisruptionBudgets = host.PodDisruptionBudgets,
            // Past the grace period budgets do not matter; counting them would scan every pod of the cluster for nothing.
            Budgets = graceOver ? new Dictionary<string, int>(StringComparer.Ordinal) : _passBudgets ?? Budgets(now),
            Now = now,
            GracePeriodOver = graceOver,
        });
        if (_inPass && !graceOver)
        {
            // The next node of this pass spends what is left: the budgets are counted once per pass, not per node
            // (a recount would agree, the evictions just issued being under way).
            _passBudgets = decision.BudgetsAfter;
        }

        if (decision.Drained)
        {
            return true;
        }

        foreach (var pod in decision.Delete)
        {
            var key = PodKey(pod);
            var eviction = EvictionOf(t, key);
            if (!eviction.Forced)
            {
                // Past terminationGracePeriod Karpenter deletes what is left, PDBs and do-not-disrupt notwithstanding.
                if (eviction.Outstanding is { } stale)
                {
                    outbox.Take(stale);
                }

                eviction.Forced = true;
                eviction.Outstanding = null;
                eviction.NextAttemptAt = null;
                logger.LogWarning("Cluster {Cluster}: the grace period of NodeClaim {NodeClaim} (terminationGracePeriod or its instance's deadline) passed; deleting pod {Pod}", host.ClusterId, claim, key);
            }

            if (eviction.Outstanding is null && !(eviction.NextAttemptAt is { } next && now < next))
            {
                Issue(claim, node, pod, eviction, now);
            }
        }

        foreach (var pod in decision.Evict)
        {
            Issue(claim, node, pod, EvictionOf(t, PodKey(pod)), now);
        }

        return false;
    }

    /// <summary>Disruptions each PodDisruptionBudget allows now, less the evictions under way in every drain of the cluster.</summary>
    private IReadOnlyDictionary<string, int> Budgets(DateTimeOffset now)
    {
        if (host.PodDisruptionBudgets.Count == 0)
        {
            return new Dictionary<string, int>(StringComparer.Ordinal);
        }

        var underWay = State.Terminations.Values.SelectMany(t => t.Evictions).Where(e => IsUnderWay(e.Value, now)).Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        return EvictionOrder.Budgets(host.PodDisruptionBudgets, host.AllPods(), underWay);
    }

    /// <summary>An eviction not yet answered, or accepted and the pod not gone yet.</summary>
    private static bool IsUnderWay(PodEviction eviction, DateTimeOffset now) =>
        !eviction.Forced && (eviction.Outstanding is not null || eviction.Accepted && eviction.NextAttemptAt is { } next && now < next);

    private static PodEviction EvictionOf(ClaimTermination t, string key)
    {
        if (!t.Evictions.TryGetValue(key, out var eviction))
        {
            eviction = t.Evictions[key] = new PodEviction();
        }

        return eviction;
    }

    private void Issue(string claim, string node, V1Pod pod, PodEviction eviction, DateTimeOffset now)
    {
        var key = PodKey(pod);
        eviction.Attempts++;
        eviction.Accepted = false;
        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        var name = pod.Metadata?.Name ?? "";
        eviction.Outstanding = eviction.Forced ? $"{claim}/delete/{key}/{eviction.Attempts}" : $"{claim}/evict/{key}/{eviction.Attempts}";
        outbox.Issue(eviction.Outstanding, eviction.Forced ? ClusterCommandKind.DeletePod : ClusterCommandKind.EvictPod, node, now, ns, name);
    }

    private static string PodKey(V1Pod pod) => $"{pod.Metadata?.NamespaceProperty ?? "default"}/{pod.Metadata?.Name}";
}
