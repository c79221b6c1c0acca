using k8s.Models;
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
    public static readonly SolverOptions ExistingOnly = new() { ExistingCapacityOnly = true, Improve = false };

    /// <summary>Replacement check: Karpenter's packing, new claims allowed.</summary>
    public static readonly SolverOptions WithClaims = new() { Improve = false };

    public static SimulationResult Run(PlannerState state, IReadOnlyCollection<NodeEntry> candidates, ISet<string> goingAway, SolverOptions options)
    {
        var leaving = new HashSet<string>(candidates.Select(c => c.Name), StringComparer.Ordinal);
        var nodes = new List<V1Node>(state.Nodes.Count);
        var pods = new List<V1Pod>();
        var moved = new List<string>();
        foreach (var entry in state.Nodes.Values)
        {
            var c = entry.Cluster;
            if (leaving.Contains(entry.Name))
            {
                foreach (var pod in entry.Pods.Where(PodFacts.Moves))
                {
                    pods.Add(PodFacts.Pending(pod));
                    moved.Add(PodFacts.Key(pod));
                }

                continue;
            }

            if (c.Deleting || goingAway.Contains(entry.Name))
            {
                pods.AddRange(entry.Pods.Where(PodFacts.Moves).Select(PodFacts.Pending));
                continue;
            }

            // An uninitialized node cannot be counted on (Karpenter treats landing there as a failure).
            if (c.NodeClaim is not null && c.InitializedAt is null && !entry.Launching)
            {
                continue;
            }

            nodes.Add(entry.Launching ? Cordoned(c.Node) : c.Node);
            pods.AddRange(entry.Pods);
        }

        pods.AddRange(state.Unbound.Select(p => string.IsNullOrEmpty(p.Spec?.NodeName) ? p : PodFacts.Pending(p)));
        var input = new SchedulingInput
        {
            Catalog = state.Input.Catalog,
            NodePools = state.Input.NodePools,
            Nodes = nodes,
            Pods = pods,
            DaemonSets = state.Input.DaemonSets,
            PodDisruptionBudgets = state.Input.PodDisruptionBudgets,
        };
        var result = ProvisioningSolver.Solve(input, options);

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

    private static V1Node Cordoned(V1Node node) => new()
    {
        ApiVersion = node.ApiVersion,
        Kind = node.Kind,
        Metadata = node.Metadata,
        Spec = new V1NodeSpec { Taints = node.Spec?.Taints, Unschedulable = true },
        Status = node.Status,
    };
}
