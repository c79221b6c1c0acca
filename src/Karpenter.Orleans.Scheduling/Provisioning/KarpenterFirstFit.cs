using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// What Karpenter's documented provisioning algorithm would launch for the pending pods, as a reference
/// for the solver's saving: pods sorted by CPU request then memory request, both descending (input order
/// breaks ties); each pod goes to the first NodeClaim planned in this run that can take it, trying the
/// claims with fewest pods first, else to a new NodeClaim from the first NodePool by weight whose taints it
/// tolerates and whose requirements meet its own. A claim keeps as instance-type options every type that
/// fits its pods (DaemonSet overhead included) and has an available offering its requirements allow, and
/// is launched as the cheapest such offering. A required zonal spread narrows each pod's claim to the
/// allowed zone holding fewest of its pods; required hostname anti-affinity to its own pods and host ports
/// hold a claim to one of the group's pods, a hostname spread to maxSkew.
/// </summary>
/// <remarks>
/// Like <see cref="PerGroupPacking"/> this is a figure, not a plan: existing nodes and in-flight claims,
/// NodePool limits, preferences (taken as not wanted) and rules between different pods' groups are not
/// considered, so it is comparable with the solver's cost only for pods that all go to new claims.
/// </remarks>
public static class KarpenterFirstFit
{
    public static FirstFitPlan Plan(SchedulingInput input, SolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Plan(new SolverModel(input, options ?? SolverOptions.Default));
    }

    /// <summary>The first fit on a model compiled once for it and the solve (<see cref="ProvisioningSolver.SolveWithFirstFit"/>); it only reads the model.</summary>
    internal static FirstFitPlan Plan(SolverModel model)
    {
        var claims = new List<Claim>();
        // Claims in the order pods try them: fewest pods first, older first among equals.
        var byLoad = new List<Claim>();
        var zoneCounts = new Dictionary<(int Group, string Zone), int>();
        var scheduled = 0;
        var unplaced = 0;
        var order = model.Groups
            .OrderByDescending(g => g.Requests.MilliCpu)
            .ThenByDescending(g => g.Requests.Memory)
            .ThenBy(g => g.FirstInputIndex);
        foreach (var g in order)
        {
            var rules = g.InvalidReason is null ? Rules.Of(model, g) : null;
            for (var i = 0; i < g.Count; i++)
            {
                if (rules is not null && Place(model, g, rules, claims, byLoad, zoneCounts))
                {
                    scheduled++;
                }
                else
                {
                    unplaced++;
                }
            }
        }

        var launches = new Dictionary<(string Pool, string Type, string Zone, string CapacityType), (int Nodes, double Price)>();
        foreach (var c in claims)
        {
            var (t, offering) = Cheapest(model, c);
            var key = (c.Pool.Name, model.Index.Types[t].Name, offering.Zone, offering.CapacityType);
            var (nodes, price) = launches.GetValueOrDefault(key);
            launches[key] = (nodes + 1, price + offering.Price);
        }

        var list = launches
            .Select(l => new FirstFitLaunch(l.Key.Pool, l.Key.Type, l.Key.Zone, l.Key.CapacityType, l.Value.Nodes, Math.Round(l.Value.Price, 6)))
            .OrderByDescending(l => l.PricePerHour)
            .ThenBy(l => l.NodePool, StringComparer.Ordinal)
            .ThenBy(l => l.InstanceType, StringComparer.Ordinal)
            .ThenBy(l => l.Zone, StringComparer.Ordinal)
            .ThenBy(l => l.CapacityType, StringComparer.Ordinal)
            .ToList();
        return new FirstFitPlan(list, claims.Count, Math.Round(list.Sum(l => l.PricePerHour), 6), scheduled, unplaced);
    }

    private static bool Place(SolverModel model, PodGroup g, Rules rules, List<Claim> claims, List<Claim> byLoad, Dictionary<(int, string), int> zoneCounts)
    {
        foreach (var term in rules.Terms)
        {
            var wanted = term;
            string? zone = null;
            if (rules.SpreadZones is { } zones)
            {
                // The allowed zone holding fewest of the group's pods (name order among equals).
                var allowed = zones.Where(z => term[WellKnownLabels.Zone]?.Has(z) ?? true).ToList();
                if (allowed.Count == 0)
                {
                    continue;
                }

                zone = allowed.OrderBy(z => zoneCounts.GetValueOrDefault((g.Index, z))).ThenBy(z => z, StringComparer.Ordinal).First();
                wanted = term.Add(Requirement.In(WellKnownLabels.Zone, zone));
            }

            var target = byLoad.FirstOrDefault(c => TryAdd(model, c, g, rules, wanted, zone is null));
            if (target is null && Open(model, g, rules, wanted) is { } opened)
            {
                target = opened;
                claims.Add(opened);
                byLoad.Insert(0, opened);
            }

            if (target is null)
            {
                continue;
            }

            if (zone is not null)
            {
                zoneCounts[(g.Index, zone)] = zoneCounts.GetValueOrDefault((g.Index, zone)) + 1;
            }

            // Keep fewest-pods-first order: move the claim past claims that now hold fewer pods.
            var at = byLoad.IndexOf(target);
            while (at + 1 < byLoad.Count && byLoad[at + 1].Pods < target.Pods)
            {
                (byLoad[at], byLoad[at + 1]) = (byLoad[at + 1], byLoad[at]);
                at++;
            }

            return true;
        }

        return false;
    }

    /// <summary>Adds one pod of the group to the claim when the claim can take it; remembers rejections that can only persist.</summary>
    private static bool TryAdd(SolverModel model, Claim c, PodGroup g, Rules rules, RequirementSet wanted, bool cacheRejection)
    {
        if (c.Rejected.Contains(g.Index))
        {
            return false;
        }

        var perGroup = c.PerGroup.GetValueOrDefault(g.Index);
        if (perGroup >= rules.Cap || !(c.Used + g.Requests).FitsIn(c.MaxRoom))
        {
            // Room only shrinks and counts only grow.
            c.Rejected.Add(g.Index);
            return false;
        }

        if (rules.Untolerated.Contains(c.Pool.Index) || c.Requirements.Compatible(wanted, model.WellKnown) is not null)
        {
            if (cacheRejection)
            {
                c.Rejected.Add(g.Index);
            }

            return false;
        }

        var reqs = c.Requirements.Add(wanted);
        var used = c.Used + g.Requests;

        // Another pod of a group the claim holds usually narrows nothing: then only the fit can drop options.
        var narrowed = !reqs.Equals(c.Requirements);
        var options = narrowed ? Options(model, c.Pool, reqs, used, c.Options) : StillFitting(c.Pool, used, c.Options);
        if (options.Count == 0)
        {
            if (cacheRejection)
            {
                c.Rejected.Add(g.Index);
            }

            return false;
        }

        if (narrowed)
        {
            c.Requirements = reqs;
        }

        c.Used = used;
        if (!ReferenceEquals(options, c.Options))
        {
            c.Options = options;
            c.MaxRoom = MaxRoom(c.Pool, options);
        }

        c.PerGroup[g.Index] = perGroup + 1;
        c.Pods++;
        return true;
    }

    /// <summary>A new claim for one pod of the group from the first NodePool by weight that can take it, or null.</summary>
    private static Claim? Open(SolverModel model, PodGroup g, Rules rules, RequirementSet wanted)
    {
        foreach (var pool in model.Pools)
        {
            if (rules.Untolerated.Contains(pool.Index) || pool.Requirements.Compatible(wanted, model.WellKnown) is not null)
            {
                continue;
            }

            var reqs = pool.Requirements.Add(wanted);
            var options = Options(model, pool, reqs, g.Requests, [.. pool.Types.And(model.Index.For(reqs)).Indices()]);
            if (options.Count > 0)
            {
                var claim = new Claim(pool, reqs, g.Requests, options, MaxRoom(pool, options)) { Pods = 1 };
                claim.PerGroup[g.Index] = 1;
                return claim;
            }
        }

        return null;
    }

    /// <summary>The types among <paramref name="from"/> that the requirements allow, that hold <paramref name="used"/> and that have an allowed available offering.</summary>
    private static List<int> Options(SolverModel model, PoolTemplate pool, RequirementSet reqs, ResourceVector used, List<int> from)
    {
        var allowed = model.Index.For(reqs);
        var prices = model.Index.Prices(reqs);
        return from.FindAll(t => allowed.Contains(t) && double.IsFinite(prices[t]) && used.FitsIn(pool.Room[t]));
    }

    /// <summary><paramref name="options"/> itself when every one still holds <paramref name="used"/>, else those that do.</summary>
    private static List<int> StillFitting(PoolTemplate pool, ResourceVector used, List<int> options)
    {
        foreach (var t in options)
        {
            if (!used.FitsIn(pool.Room[t]))
            {
                return options.FindAll(o => used.FitsIn(pool.Room[o]));
            }
        }

        return options;
    }

    private static ResourceVector MaxRoom(PoolTemplate pool, List<int> options)
    {
        var room = pool.Room[options[0]];
        foreach (var t in options)
        {
            room = ResourceVector.Max(room, pool.Room[t]);
        }

        return room;
    }

    /// <summary>The claim's cheapest allowed available offering over its options (type index, then offering order among equal prices).</summary>
    private static (int Type, Offering Offering) Cheapest(SolverModel model, Claim c)
    {
        (int Type, Offering Offering)? best = null;
        foreach (var t in c.Options)
        {
            if (model.Index.CheapestOffering(t, c.Requirements) is { } o && (best is null || o.Price < best.Value.Offering.Price))
            {
                best = (t, o);
            }
        }

        return best ?? throw new InvalidOperationException("a first-fit claim kept no instance type with an offering");
    }

    /// <summary>What limits where a group's pods go: its required terms, untolerated pools, pods per claim, zonal spread.</summary>
    private sealed record Rules(IReadOnlyList<RequirementSet> Terms, HashSet<int> Untolerated, int Cap, IReadOnlyList<string>? SpreadZones)
    {
        public static Rules Of(SolverModel model, PodGroup g)
        {
            var cap = g.HostPorts.Count > 0 || g.RequiredAntiAffinity.Exists(tg => tg.IsHostname && tg.Matches(g.Namespace, g.Labels)) ? 1 : int.MaxValue;
            IReadOnlyList<string>? zones = null;
            foreach (var (tg, anyway) in g.Spreads)
            {
                if (!anyway && tg.Matches(g.Namespace, g.Labels))
                {
                    if (tg.IsHostname)
                    {
                        cap = Math.Min(cap, tg.MaxSkew);
                    }
                    else if (tg.Key == WellKnownLabels.Zone)
                    {
                        zones = model.Domains(WellKnownLabels.Zone);
                    }
                }
            }

            var untolerated = model.Pools
                .Where(p => Taints.FirstUntolerated(p.Taints, g.Tolerations, strictPreferNoSchedule: true) is not null)
                .Select(p => p.Index)
                .ToHashSet();
            return new Rules(g.RequiredTerms.Count > 0 ? g.RequiredTerms : [RequirementSet.Empty], untolerated, cap, zones);
        }
    }

    private sealed class Claim(PoolTemplate pool, RequirementSet requirements, ResourceVector used, List<int> options, ResourceVector maxRoom)
    {
        public PoolTemplate Pool { get; } = pool;

        public RequirementSet Requirements { get; set; } = requirements;

        public ResourceVector Used { get; set; } = used;

        public List<int> Options { get; set; } = options;

        public ResourceVector MaxRoom { get; set; } = maxRoom;

        public int Pods { get; set; }

        public Dictionary<int, int> PerGroup { get; } = [];

        public HashSet<int> Rejected { get; } = [];
    }
}
