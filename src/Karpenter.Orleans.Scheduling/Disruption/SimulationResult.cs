using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// What a simulation says about the moved pods: where each lands, the first that lands nowhere (and why),
/// and the new claims that hold at least one of them. Claims holding only pods that were already waiting
/// are provisioning's business, not this disruption's.
/// </summary>
internal sealed record SimulationResult(IReadOnlyList<PodMove> Moves, UnschedulablePod? Stuck, IReadOnlyList<PlannedNodeClaim> Claims, int MovedPods, IReadOnlyList<string> Unplaced)
{
    public static SimulationResult From(SchedulingResult result, IReadOnlyList<string> moved)
    {
        var to = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var n in result.ExistingNodes)
        {
            foreach (var p in n.Pods)
            {
                to[p] = n.Name;
            }
        }

        var claims = new List<PlannedNodeClaim>();
        var movedSet = new HashSet<string>(moved, StringComparer.Ordinal);
        foreach (var c in result.NodeClaims)
        {
            var holdsMoved = false;
            foreach (var p in c.Pods)
            {
                to[p] = c.Name;
                holdsMoved |= movedSet.Contains(p);
            }

            if (holdsMoved)
            {
                claims.Add(c);
            }
        }

        var stuck = result.Unschedulable.FirstOrDefault(u => movedSet.Contains(u.Pod));
        var moves = moved.Where(to.ContainsKey).Order(StringComparer.Ordinal).Select(p => new PodMove(p, to[p])).ToList();
        var unplaced = moved.Where(p => !to.ContainsKey(p)).Order(StringComparer.Ordinal).ToList();
        return new SimulationResult(moves, stuck, claims, moved.Count, unplaced);
    }
}
