using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// Claims of one pool and requirements that each carry pods of one group only, where nothing ties a pod to
/// a particular node, are interchangeable: together they are n identical pods to put on whole nodes. Packing
/// decides them chunk by chunk (per zone of a spread, say), so they can end up dearer than the cheapest set of
/// nodes for all n, which an exact small knapsack over the allowed types finds. When that cover costs less
/// and fits within what the claims reserved against NodePool limits, it replaces them.
/// </summary>
internal static class SingleGroupCover
{
    /// <summary>Largest number of pods covered exactly (the knapsack is linear in it).</summary>
    private const int MaxPods = 20_000;

    public static List<ClaimPart> Parts(SolverModel model, IReadOnlyList<ClaimTarget> claims, Func<ClaimTarget, double> price)
    {
        var buckets = new Dictionary<(PoolTemplate Pool, PodGroup Group, RequirementSet Reqs), List<ClaimTarget>>();
        foreach (var c in claims)
        {
            if (c.GroupPods.Count == 1 && c.MinValues is null && c.Pool.NodeLimit is null && c.Ports.Count == c.Pool.DaemonPorts.Count)
            {
                var g = c.GroupPods.Keys.First();
                if (Movable(g, c.Requirements))
                {
                    var key = (c.Pool, g, c.Requirements);
                    if (!buckets.TryGetValue(key, out var list))
                    {
                        buckets[key] = list = [];
                    }

                    list.Add(c);
                }
            }
        }

        var replaced = new Dictionary<ClaimTarget, List<ClaimPart>?>();
        foreach (var ((pool, g, reqs), list) in buckets)
        {
            var cover = list.Count > 0 ? Cover(model, pool, g, reqs, list, list.Sum(price)) : null;
            replaced[list[0]] = cover;
            for (var i = 1; i < list.Count; i++)
            {
                replaced[list[i]] = cover is null ? null : [];
            }
        }

        var parts = new List<ClaimPart>(claims.Count);
        foreach (var c in claims)
        {
            if (replaced.TryGetValue(c, out var cover) && cover is not null)
            {
                parts.AddRange(cover);
            }
            else
            {
                parts.Add(ClaimPart.Whole(c));
            }
        }

        return parts;
    }

    /// <summary>
    /// Pods that no hostname-level rule or host port ties to their node, and whose zone-level rules the
    /// claims' requirements already pin, so moving them between nodes of the same requirements changes nothing.
    /// </summary>
    private static bool Movable(PodGroup g, RequirementSet reqs) =>
        g.InvalidReason is null && g.HostPorts.Count == 0 && g.RequiredAffinity.Count == 0 && g.RequiredAntiAffinity.Count == 0 &&
        g.PreferredAffinity.Count == 0 && g.PreferredAntiAffinity.Count == 0 && g.RepelledBy.Count == 0 &&
        g.TopologyGroups().All(tg => !tg.IsHostname && reqs[tg.Key] is { Complement: false, Values.Count: 1 });

    private static List<ClaimPart>? Cover(SolverModel model, PoolTemplate pool, PodGroup g, RequirementSet reqs, List<ClaimTarget> claims, double current)
    {
        var n = claims.Sum(c => c.NewPods.Count);
        if (n == 0 || n > MaxPods)
        {
            return null;
        }

        // Per distinct pods-per-node, the cheapest type: the rest can never be in a cheapest cover.
        var prices = model.Index.Prices(reqs);
        var byFit = new SortedDictionary<int, int>();
        foreach (var t in pool.Types.And(model.Index.For(reqs)).Indices())
        {
            var fit = (int)Math.Min(pool.Room[t].HowManyFit(g.Requests), n);
            if (fit > 0 && double.IsFinite(prices[t]) &&
                (!byFit.TryGetValue(fit, out var held) || prices[t] < prices[held] ||
                 (prices[t] == prices[held] && string.CompareOrdinal(model.Index.Types[t].Name, model.Index.Types[held].Name) < 0)))
            {
                byFit[fit] = t;
            }
        }

        var fits = byFit.Keys.ToList();
        var types = byFit.Values.ToList();
        var (cost, choice) = WholeNodeCover.Solve([.. byFit.Select(p => (p.Key, prices[p.Value]))], n);
        if (!(cost[n] < current - 1e-9))
        {
            return null;
        }

        var nodes = new List<int>();
        for (var c = n; c > 0; c -= fits[choice[c]])
        {
            nodes.Add(types[choice[c]]);
        }

        // The cover must not reserve more of a limited resource than the claims it replaces did.
        foreach (var (name, _) in pool.Limits)
        {
            if (nodes.Sum(t => model.Index.Capacity[t].Get(name)) > claims.Sum(c => c.Reserved.Get(name)))
            {
                return null;
            }
        }

        var pods = claims.SelectMany(c => c.NewPods).ToList();
        var parts = new List<ClaimPart>(nodes.Count);
        var at = 0;
        foreach (var t in nodes.OrderByDescending(t => pool.Room[t].HowManyFit(g.Requests)).ThenBy(t => t))
        {
            var k = (int)Math.Min(pool.Room[t].HowManyFit(g.Requests), pods.Count - at);
            parts.Add(new ClaimPart(claims[0], g.Requests * k, pods.GetRange(at, k), pool.Limits.Count > 0 ? model.Index.Capacity[t] : claims[0].Reserved));
            at += k;
        }

        return parts;
    }
}
