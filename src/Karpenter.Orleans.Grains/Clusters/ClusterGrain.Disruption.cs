using System.Globalization;
using Karpenter.Orleans.Scheduling.Disruption;

namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>
/// The disruption controller's home in the service: the cluster's view turned into the planner's input, the
/// planner called (Scheduling decides), and what it decided explained per node.
/// </summary>
public sealed partial class ClusterGrain
{
    async Task<DisruptionExplanation> IClusterGrain.ExplainDisruptionAsync()
    {
        var now = time.Now;
        if (await DisruptionInputAsync(now) is not { } input)
        {
            return new DisruptionExplanation(ClusterId, now, [], 0, 0);
        }

        var plan = await Task.Run(() => DisruptionPlanner.Plan(input, DisruptionOptions));
        var byNode = new Dictionary<string, (DisruptionAction Action, string Reason)>(StringComparer.Ordinal);
        foreach (var action in plan.Actions)
        {
            var reason = Describe(action);
            foreach (var node in action.Nodes)
            {
                byNode.TryAdd(node, (action, reason));
            }
        }

        var blocked = plan.Blocked.GroupBy(b => b.Node, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var rows = new List<NodeDisruption>();
        foreach (var node in input.Nodes.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            (string Decision, string? Method, string Reason) row = byNode.TryGetValue(node.Name, out var acted)
                ? (acted.Action.Kind == DisruptionActionKind.Delete ? "delete" : "replace", (string?)MethodName(acted.Action.Method), acted.Reason)
                : blocked.TryGetValue(node.Name, out var b) ? ("blocked", (string?)null, b.Reason) : ("none", (string?)null, "nothing to do");
            var (decision, method, reason) = row;
            rows.Add(new NodeDisruption(node.Name, node.NodeClaim, node.NodePool, node.InstanceType, node.CapacityType,
                Math.Round(node.PricePerHour, 6), decision, method, reason));
        }

        return new DisruptionExplanation(ClusterId, now, rows, Math.Round(plan.Summary.PricePerHourBefore, 6), Math.Round(plan.Summary.PricePerHourAfter, 6));
    }

    private DisruptionOptions DisruptionOptions => new() { MinSavingPerPodPerHour = Options.ConsolidationMinSavingPerPodPerHour };

    /// <summary>
    /// The cluster as the planner sees it: every node with its claim (price, phase, drift, interruption), the
    /// pods bound and pending, DaemonSets, PDBs and NodePools. Null before registration or without NodePools.
    /// </summary>
    private async Task<DisruptionInput?> DisruptionInputAsync(DateTimeOffset now)
    {
        if (Registration is not { } registration || _nodePools.Count == 0)
        {
            return null;
        }

        var regionKey = $"{registration.Provider}/{registration.Region}";
        var availability = await GrainFactory.GetGrain<IOfferingsGrain>(regionKey).GetAvailabilityAsync();
        var catalog = await catalogs.GetAsync(registration.Provider, registration.Region, availability, new HashSet<string>(StringComparer.Ordinal));
        var claimsByNode = state.State.Claims.Where(c => c.Value.IsLive && c.Value.NodeName is not null)
            .GroupBy(c => c.Value.NodeName!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(c => c.Value.CreatedAt).First(), StringComparer.Ordinal);
        var nominated = _pods.Values.Where(p => p.IsPending && p.NodeClaim is not null).Select(p => p.NodeClaim!).ToHashSet(StringComparer.Ordinal);

        // consolidateAfter counts from the last pod event on the node; a pod first seen bound counts from when it was seen.
        var lastPodEvent = _pods.Values.Where(p => p.IsBound).GroupBy(p => p.Pod.Spec.NodeName!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(p => p.FirstSeen), StringComparer.Ordinal);
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
                LastPodEventAt = lastPodEvent.TryGetValue(name, out var at) ? at : null,
                Drifted = entry.Phase == NodeClaimPhase.Drifted ? entry.Reason ?? "drifted" : null,
                Deleting = entry.Phase is not (NodeClaimPhase.Registered or NodeClaimPhase.Initialized or NodeClaimPhase.Drifted) || node.Metadata?.DeletionTimestamp is not null,
                Nominated = nominated.Contains(claimName),
            });
        }

        return new DisruptionInput
        {
            Catalog = catalog,
            NodePools = _nodePools.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ToList(),
            Nodes = nodes,
            Pods = _pods.Values.Where(p => p.Quarantine is null && (p.IsBound || p.IsPending)).Select(p => p.Pod).ToList(),
            DaemonSets = _daemonSets.Values.ToList(),
            PodDisruptionBudgets = _pdbs.Values.ToList(),
            Now = now,
        };
    }

    private static string MethodName(DisruptionMethod method) => method switch
    {
        DisruptionMethod.Emptiness => "emptiness",
        DisruptionMethod.Drift => "drift",
        DisruptionMethod.Expiration => "expiration",
        DisruptionMethod.Interruption => "interruption",
        DisruptionMethod.MultiNodeConsolidation => "multi-node",
        _ => "single-node",
    };

    private static string Describe(DisruptionAction action)
    {
        var saving = action.SavingPerHour.ToString("0.####", CultureInfo.InvariantCulture);
        var what = action.Kind == DisruptionActionKind.Delete
            ? $"delete {Plural(action.Nodes.Count, "node")}"
            : $"replace {Plural(action.Nodes.Count, "node")} with {string.Join(", ", action.Replacements.Select(r => $"{r.InstanceType} {r.CapacityType} in {r.Zone}"))}";
        return $"{MethodName(action.Method)}: {what}, {action.Moves.Count} pods move, saves ${saving}/h";
    }

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
