using k8s.Models;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;

namespace Karpenter.Orleans.Scheduling.Termination;

/// <summary>
/// Which pods of a draining node go now, as Karpenter's termination controller decides it. The drain waits on
/// every pod that is not finished (Succeeded or Failed), not a static pod's mirror (the kubelet owns those and
/// the API server cannot delete them), does not tolerate the <c>karpenter.sh/disrupted:NoSchedule</c> taint
/// (such a pod asked to stay on a tainted node, so it goes with the node), and has not been terminating for
/// more than a minute past its deletion time. Those pods are evicted in four groups (<see cref="EvictionGroup"/>),
/// the next group only once every pod of the earlier ones is gone or terminating. Within the group a pod is
/// not asked while its eviction is out, while it backs off after a refusal, while its
/// <c>karpenter.sh/do-not-disrupt</c> holds, or when its PodDisruptionBudget has no disruption left (or more
/// than one budget covers it, which the Eviction API refuses); budgets are spent in pod order, so one pass never
/// asks a budget for more than it allows. Past the grace period every waited-on pod is deleted instead.
/// </summary>
public static class EvictionOrder
{
    /// <summary>The taint the drain puts on the node first.</summary>
    public static readonly V1Taint DisruptedTaint = new() { Key = "karpenter.sh/disrupted", Effect = "NoSchedule" };

    private const string MirrorAnnotation = "kubernetes.io/config.mirror";

    /// <summary>How long past its deletion time a terminating pod is still waited on (Karpenter's stuck-terminating rule).</summary>
    private static readonly TimeSpan StuckAfter = TimeSpan.FromMinutes(1);

    /// <summary>The pod's eviction group: critical by priority class, DaemonSet by owner.</summary>
    public static EvictionGroup GroupOf(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var critical = pod.Spec?.PriorityClassName is "system-cluster-critical" or "system-node-critical";
        var daemon = pod.Metadata?.OwnerReferences?.Any(o => o.Kind == "DaemonSet") == true;
        return (critical, daemon) switch
        {
            (false, false) => EvictionGroup.NonCriticalWorkload,
            (false, true) => EvictionGroup.NonCriticalDaemonSet,
            (true, false) => EvictionGroup.CriticalWorkload,
            (true, true) => EvictionGroup.CriticalDaemonSet,
        };
    }

    /// <summary>A static pod's mirror: owned by its Node, or marked by the kubelet's annotation.</summary>
    public static bool IsMirror(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Metadata?.OwnerReferences?.Any(o => o.Kind == "Node") == true ||
               pod.Metadata?.Annotations?.ContainsKey(MirrorAnnotation) == true;
    }

    /// <summary>Whether the pod tolerates <c>karpenter.sh/disrupted:NoSchedule</c> (a key match, or an empty key with Exists).</summary>
    public static bool ToleratesDisruptedTaint(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Spec?.Tolerations is { Count: > 0 } tolerations && Taints.Tolerates(tolerations, DisruptedTaint);
    }

    /// <summary>Whether the drain waits for the pod to leave the node (see the type's summary).</summary>
    public static bool IsWaitedOn(V1Pod pod, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return !PodFacts.IsTerminal(pod) && !IsMirror(pod) && !ToleratesDisruptedTaint(pod) && !IsStuckTerminating(pod, now);
    }

    /// <summary>
    /// Disruptions each PodDisruptionBudget (namespace/name) allows now over <paramref name="pods"/> (every pod of
    /// the cluster), less the covered pods still healthy whose eviction is already <paramref name="asked"/>: the
    /// cluster has not counted those as gone yet, but they will be.
    /// </summary>
    public static IReadOnlyDictionary<string, int> Budgets(IReadOnlyList<V1PodDisruptionBudget> pdbs, IReadOnlyCollection<V1Pod> pods, IReadOnlySet<string> asked)
    {
        ArgumentNullException.ThrowIfNull(pdbs);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(asked);
        var budgets = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pdb in pdbs)
        {
            var matcher = PodDisruptionBudgetAllowance.Matcher(pdb);
            var ns = pdb.Metadata?.NamespaceProperty ?? "default";
            int expected = 0, healthy = 0, spent = 0;
            foreach (var pod in pods)
            {
                if (!PodDisruptionBudgetAllowance.Covers(pdb, matcher, ns, pod))
                {
                    continue;
                }

                expected++;
                if (PodDisruptionBudgetAllowance.IsHealthy(pod))
                {
                    healthy++;
                    if (asked.Contains(PodFacts.Key(pod)))
                    {
                        spent++;
                    }
                }
            }

            budgets[KeyOf(pdb)] = Math.Max(0, PodDisruptionBudgetAllowance.Allowed(pdb, expected, healthy) - spent);
        }

        return budgets;
    }

    /// <summary>Decides what the draining node's pods need now (see the type's summary).</summary>
    public static DrainDecision Decide(DrainInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var budgets = new Dictionary<string, int>(input.Budgets, StringComparer.Ordinal);
        var waited = input.Pods.Where(p => IsWaitedOn(p, input.Now)).OrderBy(PodFacts.Key, StringComparer.Ordinal).ToList();
        if (waited.Count == 0)
        {
            return new DrainDecision { Drained = true, BudgetsAfter = budgets };
        }

        if (input.GracePeriodOver)
        {
            return new DrainDecision { Delete = waited, BudgetsAfter = budgets };
        }

        // Terminating pods are on their way out; the group they belong to is done with them.
        var active = waited.Where(p => p.Metadata?.DeletionTimestamp is null).ToList();
        if (active.Count == 0)
        {
            return new DrainDecision { BudgetsAfter = budgets };
        }

        var group = active.Min(GroupOf);
        var evict = new List<V1Pod>();
        var waiting = new List<DrainWait>();
        var compiled = input.PodDisruptionBudgets.Select(b => (Pdb: b, Key: KeyOf(b), Matcher: PodDisruptionBudgetAllowance.Matcher(b), Ns: b.Metadata?.NamespaceProperty ?? "default")).ToList();
        foreach (var pod in active.Where(p => GroupOf(p) == group))
        {
            var key = PodFacts.Key(pod);
            if (input.Asked.Contains(key))
            {
                waiting.Add(new DrainWait(key, "its eviction is under way"));
                continue;
            }

            if (input.BackingOff.Contains(key))
            {
                waiting.Add(new DrainWait(key, "its last eviction was refused; asked again after the backoff"));
                continue;
            }

            if (PodFacts.DoNotDisrupt(pod, input.Now))
            {
                waiting.Add(new DrainWait(key, "karpenter.sh/do-not-disrupt: waited on until it ends or the grace period does"));
                continue;
            }

            var covering = compiled.Where(c => PodDisruptionBudgetAllowance.Covers(c.Pdb, c.Matcher, c.Ns, pod)).ToList();
            if (covering.Count > 1)
            {
                waiting.Add(new DrainWait(key, $"covered by {covering.Count} PodDisruptionBudgets ({string.Join(", ", covering.Select(c => c.Key))}); the Eviction API refuses such a pod"));
                continue;
            }

            if (covering.Count == 1)
            {
                var pdb = covering[0].Key;
                if (budgets.GetValueOrDefault(pdb) <= 0)
                {
                    waiting.Add(new DrainWait(key, $"PodDisruptionBudget {pdb} allows no more disruptions now"));
                    continue;
                }

                budgets[pdb]--;
            }

            evict.Add(pod);
        }

        return new DrainDecision { Group = group, Evict = evict, Waiting = waiting, BudgetsAfter = budgets };
    }

    /// <summary>A PodDisruptionBudget's key in <see cref="DrainInput.Budgets"/>: namespace/name.</summary>
    public static string KeyOf(V1PodDisruptionBudget pdb)
    {
        ArgumentNullException.ThrowIfNull(pdb);
        return $"{pdb.Metadata?.NamespaceProperty ?? "default"}/{pdb.Metadata?.Name}";
    }

    private static bool IsStuckTerminating(V1Pod pod, DateTimeOffset now) =>
        pod.Metadata?.DeletionTimestamp is { } deleted && now - new DateTimeOffset(DateTime.SpecifyKind(deleted, DateTimeKind.Utc)) > StuckAfter;
}
