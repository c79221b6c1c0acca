using System.Diagnostics;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// Karpenter's consolidation proof: the provisioning solver re-run on the cluster without the candidate
/// nodes. Remaining initialized nodes are existing capacity with their pods bound (replacements still
/// launching count for topology but take no more pods); the candidates' pods that move are pending, as are
/// pods already waiting for a node (they compete for the same room, as in Karpenter).
/// </summary>
internal static class Simulation
{
    /// <summary>Delete-only check: existing capacity only, one greedy pass. Much cheaper than a full solve.</summary>
    public static readonly SolverOptions ExistingOnly = new() { ExistingCapacityOnly = true, Improve = false, NodePoolTopologyDomains = true };

    /// <summary>Replacement check: Karpenter's packing, new claims allowed.</summary>
    public static readonly SolverOptions WithClaims = new() { Improve = false };

    private static readonly bool Traced = Environment.GetEnvironmentVariable("KARPO_TRACE") == "1";

    public static SimulationResult Run(PlannerState state, IReadOnlyCollection<NodeEntry> candidates, ISet<string> goingAway, SolverOptions options)
    {
        var started = Stopwatch.GetTimestamp();
        var leaving = new HashSet<string>(candidates.Select(c => c.Name), StringComparer.Ordinal);
        var nodes = new List<V1Node>(state.Nodes.Count);
        var moved = new List<string>();

        // The input in order: pending pods where they were, and nodes whose bound pods follow them.
        var parts = new List<(V1Pod? Pending, NodeEntry? Bound)>();
        var pending = new List<V1Pod>();
        foreach (var entry in state.Nodes.Values)
        {
            var c = entry.Cluster;
            if (leaving.Contains(entry.Name))
            {
                foreach (var pod in entry.Pods.Where(PodFacts.Moves))
                {
                    pending.Add(pod);
                    parts.Add((state.Pending(pod), null));
                    moved.Add(PodFacts.Key(pod));
                }

                continue;
            }

            if (c.Deleting || goingAway.Contains(entry.Name))
            {
                foreach (var pod in entry.Pods.Where(PodFacts.Moves))
                {
                    pending.Add(pod);
                    parts.Add((state.Pending(pod), null));
                }

                continue;
            }

            // An uninitialized node cannot be counted on (Karpenter treats landing there as a failure).
            if (c.NodeClaim is not null && c.InitializedAt is null && !entry.Launching)
            {
                continue;
            }

            parts.Add((null, entry));
        }

        foreach (var p in state.Unbound)
        {
            pending.Add(p);
            parts.Add((string.IsNullOrEmpty(p.Spec?.NodeName) ? p : state.Pending(p), null));
        }

        // Bound pods no topology group of this solve counts are passed folded (see PodFolding).
        var folding = state.Folding;
        bool[]? active = null;
        if (folding is not null && pending.All(folding.Knows))
        {
            active = new bool[folding.GroupCount];
            folding.Activate(pending, active);
        }

        // Nodes that can take no pending pod and hold nothing a group of this solve counts change nothing
        // in it: left out, unless they carry a topology domain no other node has or NodePool limits count them.
        var drop = active is not null && folding!.MayDropNodes(active) &&
            (options.ExistingCapacityOnly || state.Input.NodePools.All(np => np.Limits.Count == 0));
        var needs = drop ? pending.Select(state.Requests).Distinct().ToList() : [];
        var pods = new List<V1Pod>(pending.Count + (active is null ? state.Nodes.Count * 16 : state.Nodes.Count * 2));
        List<(NodeEntry Entry, int Index)>? dropped = null;
        foreach (var (p, bound) in parts)
        {
            if (p is not null)
            {
                pods.Add(p);
                continue;
            }

            var node = bound!.Launching ? Cordoned(bound.Cluster.Node) : bound.Cluster.Node;
            if (active is null)
            {
                nodes.Add(node);
                pods.AddRange(bound.Pods);
                continue;
            }

            var start = pods.Count;
            var plain = folding!.AddFolded(bound.Name, bound.Pods, active, pods);
            if (drop && plain && (bound.Launching || !needs.Exists(r => r.FitsIn(state.Room(bound)))))
            {
                pods.RemoveRange(start, pods.Count - start);
                (dropped ??= []).Add((bound, nodes.Count));
                continue;
            }

            nodes.Add(node);
        }

        if (dropped is not null)
        {
            // Domains come from the nodes too: keep one dropped node for each domain the rest lack.
            var keys = folding!.DomainKeys(active!);
            var have = new HashSet<(string, string)>(nodes.SelectMany(n => Domains(n, keys)));
            foreach (var (entry, _) in dropped)
            {
                var node = entry.Launching ? Cordoned(entry.Cluster.Node) : entry.Cluster.Node;
                var missing = Domains(node, keys).Where(d => !have.Contains(d)).ToList();
                if (missing.Count > 0)
                {
                    have.UnionWith(missing);
                    nodes.Add(node);
                    folding.AddFolded(entry.Name, entry.Pods, active!, pods);
                }
            }
        }

        var input = new SchedulingInput
        {
            Catalog = state.Input.Catalog,
            NodePools = state.Input.NodePools,
            Nodes = nodes,
            Pods = pods,
            DaemonSets = state.Input.DaemonSets,
            PodDisruptionBudgets = state.Input.PodDisruptionBudgets,
        };
        var built = Stopwatch.GetElapsedTime(started);
        var result = ProvisioningSolver.Solve(input, options);
        if (Traced)
        {
            // The solver's own switch: what each what-if costs and how big its input is.
            Console.Error.WriteLine($"what-if: {candidates.Count} candidates, {nodes.Count} nodes, {pods.Count} pods ({moved.Count} moved), " +
                $"{(options.ExistingCapacityOnly ? "delete" : "replace")} check, input {built.TotalMilliseconds:F1} ms, solve {(Stopwatch.GetElapsedTime(started) - built).TotalMilliseconds:F1} ms");
        }

        // Each solve names its claims afresh, so a name may already be a node's (a replacement of an earlier
        // action): rename those, or moves to the node and to the claim could not be told apart.
        var local = new HashSet<string>(StringComparer.Ordinal);
        var claims = result.NodeClaims.Select(c =>
        {
            var name = state.IsTaken(c.Name) || !local.Add(c.Name) ? state.FreshName(c.NodePool, local) : c.Name;
            return name == c.Name ? c : c with { Name = name };
        }).ToList();
        return SimulationResult.From(result with { NodeClaims = claims }, moved);
    }

    /// <summary>The node's (key, value) for each of the keys, deprecated label keys read as their successors.</summary>
    private static IEnumerable<(string Key, string Value)> Domains(V1Node node, IReadOnlyCollection<string> keys)
    {
        var labels = node.Metadata?.Labels;
        if (labels is null)
        {
            yield break;
        }

        foreach (var key in keys)
        {
            if (labels.TryGetValue(key, out var v))
            {
                yield return (key, v);
            }

            foreach (var (old, now) in WellKnownLabels.Normalized)
            {
                if (now == key && labels.TryGetValue(old, out var o))
                {
                    yield return (key, o);
                }
            }
        }
    }

    private static V1Node Cordoned(V1Node node) => new()
    {
        ApiVersion = node.ApiVersion,
        Kind = node.Kind,
        Metadata = node.Metadata,
        Spec = new V1NodeSpec { Taints = node.Spec?.Taints, Unschedulable = true },
        Status = node.Status,
    };
}
