using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Optimization;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// Builds the LP the plan is measured against from a solver model: pod groups and (NodePool, type) shapes,
/// or (NodePool, type, zone) shapes when some group's zonal spread forces pods into every zone, split
/// further by capacity type when some group selects one.
/// </summary>
/// <remarks>
/// A group may use a shape when the pool's taints are tolerated and some required term is compatible
/// (preferences are relaxable, so they do not restrict the bound). Required hostname anti-affinity and
/// hostname spread cap pods per node. A required zonal spread with maxSkew k over D zones means every
/// feasible plan ends with at least ⌈(N − (|D|−1)·k) / |D|⌉ matching pods in each zone; the group is split
/// into one part per zone of that size, usable only on shapes in its zone, and a free remainder. Any plan
/// can be written that way, so the LP stays a relaxation while no longer pricing every pod at the
/// cheapest zone. When some pod selects a capacity type, shapes are also per capacity type the pool allows,
/// each at its cheapest offering of that type: every node has one capacity type, so a plan maps onto them,
/// and pods that select on-demand are no longer priced at the pool's cheapest (spot) offering.
/// </remarks>
internal static class LowerBoundBuilder
{
    /// <summary>Largest group whose cost on nodes of its own is computed exactly rather than by the LP.</summary>
    private const int MaxExactPods = 4096;

    /// <summary>
    /// The LP, and the exact cost of the groups it leaves out: a group no other group can share a node with
    /// (a tainted pool of its own, say) is a separate problem whose integral optimum is cheap to compute:
    /// the fewest-dollar set of whole nodes that holds its pods. Adding that to the LP's optimum for the
    /// rest is still a lower bound, and a tighter one, since the LP would count fractions of nodes.
    /// </summary>
    public static BoundModel Build(SolverModel model, ISet<string>? onlyPods)
    {
        // Pods that end up on existing nodes count toward zone minimums we do not know: split only when
        // every pending pod is on a new claim.
        var splits = onlyPods is null ? ZoneSpreads(model) : [];
        var zones = splits.Count > 0 ? model.Domains(WellKnownLabels.Zone) : null;

        // A pod that selects a capacity type pays that type's price, not the pool's cheapest: when some group
        // selects one, shapes are per capacity type too (a group that selects none may use them all).
        var byCapacityType = model.Groups.Any(g => g.RequiredTerms.Exists(t => t[WellKnownLabels.CapacityType] is not null));

        var shapes = new List<LowerBoundShape>();
        var origins = new List<(PoolTemplate Pool, int Type, string? Zone)>();
        // Per (pool, type): its shapes and each shape's zone and capacity type (null when shapes are not split so).
        var shapeIndex = new Dictionary<(int Pool, int Type), List<(int Shape, string? Zone, string? CapacityType)>>();
        foreach (var pool in model.Pools)
        {
            var poolCapacityTypes = pool.Requirements[WellKnownLabels.CapacityType];
            List<string?> capacityTypes = byCapacityType
                ? [.. CapacityTypes.All.Where(ct => poolCapacityTypes?.Has(ct) ?? true)]
                : [null];
            var prices = new List<(string? Zone, string? CapacityType, double[] Prices)>();
            List<string?> shapeZones = zones is null ? [null] : [.. zones];
            foreach (var z in shapeZones)
            {
                foreach (var ct in capacityTypes)
                {
                    var reqs = z is null ? pool.Requirements : pool.Requirements.Add(Requirement.In(WellKnownLabels.Zone, z));
                    prices.Add((z, ct, model.Index.Prices(ct is null ? reqs : reqs.Add(Requirement.In(WellKnownLabels.CapacityType, ct)))));
                }
            }

            foreach (var t in pool.Types.Indices())
            {
                var name = $"{pool.Name}/{model.Index.Types[t].Name}";
                foreach (var (z, ct, price) in prices)
                {
                    if (double.IsFinite(price[t]))
                    {
                        if (!shapeIndex.TryGetValue((pool.Index, t), out var list))
                        {
                            shapeIndex[(pool.Index, t)] = list = [];
                        }

                        list.Add((shapes.Count, z, ct));
                        var suffix = (z is null ? string.Empty : $"/{z}") + (ct is null ? string.Empty : $"/{ct}");
                        shapes.Add(new LowerBoundShape(name + suffix, pool.Room[t], price[t]));
                        origins.Add((pool, t, z));
                    }
                }
            }
        }

        var candidates = new List<(PodGroup Group, int Count, SortedDictionary<int, string?> Compatible)>();
        foreach (var g in model.Groups)
        {
            var count = onlyPods is null ? g.Count : g.PodKeys.Count(onlyPods.Contains);
            if (count == 0 || g.InvalidReason is not null)
            {
                continue;
            }

            // Compatible shapes, with their zones.
            var compatible = new SortedDictionary<int, string?>();
            foreach (var pool in model.Pools)
            {
                if (Taints.FirstUntolerated(pool.Taints, g.Tolerations, strictPreferNoSchedule: false) is not null)
                {
                    continue;
                }

                foreach (var term in g.RequiredTerms)
                {
                    if (pool.Requirements.Compatible(term, model.WellKnown) is not null)
                    {
                        continue;
                    }

                    var zoneReq = term[WellKnownLabels.Zone];
                    var ctReq = term[WellKnownLabels.CapacityType];
                    foreach (var t in pool.Types.And(model.Index.For(pool.Requirements.Add(term))).Indices())
                    {
                        if (!shapeIndex.TryGetValue((pool.Index, t), out var list) || !g.Requests.FitsIn(pool.Room[t]))
                        {
                            continue;
                        }

                        foreach (var (s, z, ct) in list)
                        {
                            if ((z is null || zoneReq is null || zoneReq.Has(z)) && (ct is null || ctReq is null || ctReq.Has(ct)))
                            {
                                compatible[s] = z;
                            }
                        }
                    }
                }
            }

            if (compatible.Count > 0)
            {
                candidates.Add((g, count, compatible));
            }
        }

        // Shapes (as pool and type, whatever the zone) each group may use, to find groups that share none.
        var users = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, _, compatible) in candidates)
        {
            foreach (var name in compatible.Keys.Select(s => NodeOf(shapes[s].Name)).Distinct())
            {
                users[name] = users.GetValueOrDefault(name) + 1;
            }
        }

        var isolatedCost = 0.0;
        var groups = new List<LowerBoundGroup>();
        var owners = new List<PodGroup>();
        foreach (var (g, count, compatible) in candidates)
        {
            var cap = Cap(g);
            var spread = splits.GetValueOrDefault(g.Index);
            var minimums = spread is null ? null : Minimums(spread, count);
            if (count <= MaxExactPods && compatible.Keys.All(s => users[NodeOf(shapes[s].Name)] == 1) &&
                ExactCost(shapes, g, cap, count, compatible, spread) is { } exact)
            {
                isolatedCost += exact;
                continue;
            }

            if (minimums is not null)
            {
                var rest = count;
                foreach (var (zone, minimum) in minimums)
                {
                    var inZone = compatible.Where(p => p.Value == zone).Select(p => p.Key).ToList();
                    if (minimum > 0 && inZone.Count > 0)
                    {
                        groups.Add(new LowerBoundGroup(minimum, g.Requests, inZone, cap));
                        owners.Add(g);
                        rest -= minimum;
                    }
                }

                if (rest > 0)
                {
                    groups.Add(new LowerBoundGroup(rest, g.Requests, [.. compatible.Keys], cap));
                    owners.Add(g);
                }
            }
            else
            {
                groups.Add(new LowerBoundGroup(count, g.Requests, [.. compatible.Keys], cap));
                owners.Add(g);
            }
        }

        return new BoundModel(new LowerBoundProblem(shapes, groups), isolatedCost, owners, origins);
    }

    // "pool/type" of a shape named "pool/type" or "pool/type/zone".
    private static string NodeOf(string shapeName)
    {
        var first = shapeName.IndexOf('/', StringComparison.Ordinal);
        var second = shapeName.IndexOf('/', first + 1);
        return second < 0 ? shapeName : shapeName[..second];
    }

    /// <summary>
    /// The cheapest set of whole nodes that holds <paramref name="count"/> pods of one group alone; with a zonal
    /// spread, every zone count must end within maxSkew of the least one. Null when no such set exists.
    /// </summary>
    private static double? ExactCost(
        List<LowerBoundShape> shapes, PodGroup g, int? cap, int count, SortedDictionary<int, string?> compatible, ZoneSpread? spread)
    {
        // Per zone (or one bucket when shapes are not per zone): the cheapest cover of c pods, c = 0..count.
        var buckets = compatible.GroupBy(p => p.Value ?? string.Empty, StringComparer.Ordinal)
            .OrderBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => (Zone: b.Key, Cover: Cover(b.Select(p => shapes[p.Key]), g, cap, count)))
            .ToList();
        if (spread is null)
        {
            return Spread(buckets, count, _ => (0, count));
        }

        // The least zone count m (over the spread's zones, existing pods included) has m·Z ≤ N ≤ (m + k)·Z;
        // for each such m every zone ends in [m, m + k].
        var (zones, existing, total, skew) = spread;
        double? best = null;
        for (var m = Math.Max(0, (int)Math.Ceiling((total - ((double)skew * zones.Count)) / zones.Count)); m * zones.Count <= total; m++)
        {
            var range = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
            var feasible = true;
            for (var i = 0; i < zones.Count; i++)
            {
                var (lo, hi) = (Math.Max(0, m - existing[i]), m + skew - existing[i]);
                feasible &= hi >= lo && (lo == 0 || buckets.Exists(b => b.Zone == zones[i]));
                range[zones[i]] = (lo, Math.Max(lo, hi));
            }

            if (feasible && Spread(buckets, count, z => range.GetValueOrDefault(z, (0, count))) is { } cost && !(cost >= best))
            {
                best = cost;
            }
        }

        return best;
    }

    /// <summary>The cheapest way to put <paramref name="count"/> pods over the buckets, each taking a count within its range.</summary>
    private static double? Spread(List<(string Zone, double[] Cover)> buckets, int count, Func<string, (int Lo, int Hi)> range)
    {
        // best[c] = cheapest for c pods over the buckets so far.
        var best = new double[count + 1];
        Array.Fill(best, double.PositiveInfinity);
        best[0] = 0;
        foreach (var (zone, cover) in buckets)
        {
            var (lo, hi) = range(zone);
            var next = new double[count + 1];
            Array.Fill(next, double.PositiveInfinity);
            for (var have = 0; have <= count; have++)
            {
                if (double.IsPositiveInfinity(best[have]))
                {
                    continue;
                }

                for (var add = lo; add <= hi && have + add <= count; add++)
                {
                    next[have + add] = Math.Min(next[have + add], best[have] + cover[add]);
                }
            }

            best = next;
        }

        return double.IsFinite(best[count]) ? best[count] : null;
    }

    /// <summary>Per c = 0..max, the cheapest whole nodes among <paramref name="shapes"/> that hold c pods of the group.</summary>
    private static double[] Cover(IEnumerable<LowerBoundShape> shapes, PodGroup g, int? cap, int max) =>
        WholeNodeCover.Solve([.. shapes.Select(s => ((int)Math.Min(s.Room.HowManyFit(g.Requests), cap ?? int.MaxValue), s.PricePerHour))], max).Cost;

    private static int? Cap(PodGroup g)
    {
        int? cap = null;
        if (g.RequiredAntiAffinity.Any(tg => tg.IsHostname && tg.Matches(g.Namespace, g.Labels)))
        {
            cap = 1;
        }

        foreach (var (tg, anyway) in g.Spreads)
        {
            if (!anyway && tg.IsHostname && tg.Matches(g.Namespace, g.Labels))
            {
                cap = Math.Min(cap ?? int.MaxValue, tg.MaxSkew);
            }
        }

        return g.HostPorts.Count > 0 ? 1 : cap;
    }

    /// <summary>
    /// Per group, the zonal spread that is certain to bind: the group's own pods are the only pending ones it
    /// counts, its zone domains do not depend on which node-affinity term is chosen, and minDomains does not
    /// zero the minimum. Every feasible plan ends with zone counts within maxSkew of each other over them.
    /// </summary>
    private static Dictionary<int, ZoneSpread> ZoneSpreads(SolverModel model)
    {
        var result = new Dictionary<int, ZoneSpread>();
        foreach (var g in model.Groups)
        {
            if (g.InvalidReason is not null || g.RequiredTerms.Count > 1)
            {
                continue;
            }

            var zoneReq = g.RequiredTerms.Count == 1 ? g.RequiredTerms[0][WellKnownLabels.Zone] : null;
            var domains = model.Domains(WellKnownLabels.Zone).Where(z => zoneReq is null || zoneReq.Has(z)).ToList();
            foreach (var (tg, anyway) in g.Spreads)
            {
                if (anyway || tg.Key != WellKnownLabels.Zone || !tg.Matches(g.Namespace, g.Labels) || domains.Count == 0 ||
                    tg.MinDomains > domains.Count || model.Groups.Any(o => o != g && o.CountedBy.Contains(tg)))
                {
                    continue;
                }

                var existing = domains.Select(z => model.InitialTopology.Count(tg, z)).ToArray();
                result[g.Index] = new ZoneSpread(domains, existing, existing.Sum() + g.Count, tg.MaxSkew);
                break;
            }
        }

        return result;
    }

    /// <summary>
    /// The fewest pods of the group each zone must end with: with N matching pods over Z zones and maxSkew k,
    /// the least zone holds at least ⌈(N − (Z−1)·k) / Z⌉. Null when that forces nothing (or more than the group has).
    /// </summary>
    private static List<(string Zone, int Minimum)>? Minimums(ZoneSpread spread, int pods)
    {
        var (zones, existing, total, skew) = spread;
        var least = (int)Math.Ceiling((total - ((zones.Count - 1) * (double)skew)) / zones.Count);
        var minimums = zones.Select((z, i) => (z, Math.Max(0, least - existing[i]))).ToList();
        var sum = minimums.Sum(m => m.Item2);
        return sum > 0 && sum <= pods ? minimums : null;
    }

    /// <summary>A binding zonal spread: its zones, the matching pods already in each, all matching pods once placed, maxSkew.</summary>
    private sealed record ZoneSpread(List<string> Zones, int[] Existing, int Total, int MaxSkew);
}
