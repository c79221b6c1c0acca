using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// One packing pass over the pod groups: existing nodes first, then claims planned in this run, then new
/// claims from NodePools by weight. Pods of a group are placed in chunks: how many fit is a division.
/// </summary>
internal sealed class SchedulerRun
{
    private readonly SolverModel _m;
    private readonly PackingStrategy _strategy;
    private readonly IReadOnlyList<PodGroup> _order;
    private readonly TopologyState _topology;
    private readonly List<NodeTarget> _nodes;
    private readonly List<ClaimTarget> _claims = [];
    private readonly int[] _placed;
    private readonly string?[] _reasons;
    private readonly List<int> _buffer = [];
    private readonly Dictionary<(RequirementSet, RequirementSet), string?> _compatCache = [];
    private readonly Dictionary<(int Group, string Key), HashSet<string>> _blockedDomains = [];
    private readonly Dictionary<(int Group, string Key), HashSet<string>> _launchableDomains = [];
    private readonly Dictionary<(RequirementSet, RequirementSet), RequirementSet> _mergeCache = [];
    private (PodGroup? Group, Relaxation? Relax, RelaxedView? View) _lastView;
    private readonly Dictionary<(int Pool, int Group, RequirementSet Requirements), List<int>> _fittingCache = [];
    private readonly Dictionary<(int[], RequirementSet), int[]> _narrowCache = new(TypesAndRequirements.Comparer);
    private readonly ResourceVector[] _reserved;
    private readonly Dictionary<(int, Relaxation), RelaxedView> _views = [];
    private readonly Dictionary<(string, Requirement?), List<string>> _allowedCache = [];
    private readonly Dictionary<(int, Relaxation, RequirementSet, int), double> _newClaimCost = [];
    private readonly Dictionary<(int, Relaxation, RequirementSet), (int Nodes, int Claims)> _scanFrom = [];
    private readonly int[] _claimsPerPool;
    private readonly IReadOnlyList<ClaimSeed>? _seeds;
    // Per pool: cpu (millicores) and memory (bytes) still pending of the groups that may use it and have no
    // node selection of their own, so a new claim's mix sums only the few groups that do.
    private readonly (double Cpu, double Memory)[] _openDemand;
    private readonly List<PodGroup> _selective;

    // Per (pool, claim requirements): which groups are at home there; per (pool, requirements, group): cost per pod.
    private readonly Dictionary<(int Pool, RequirementSet Reqs), bool[]> _atHome = [];
    private readonly Dictionary<(int Pool, RequirementSet Reqs, int Group), double> _perPodCost = [];

    // Per group, the claims it opened: the per-group packing puts a group's pods on these only (null otherwise).
    private readonly List<ClaimTarget>?[]? _ownClaims;

    // True while interleaved rounds run: pods then fill or grow only claims they are at home on (see Interleave).
    private bool _homeOnly;

    // The groups a phase of the run places; null when all groups are placed together.
    private List<PodGroup>? _phase;

    // Per group and pool, whether the group's pods may run on the pool's nodes (computed on first use).
    private bool?[]? _usesPool;
    private readonly Dictionary<RequirementSet, bool[]> _compatibleGroups = [];
    private readonly Dictionary<RequirementSet, double[]> _pricesByReqs = new(ReferenceEqualityComparer.Instance);

    public SchedulerRun(SolverModel model, PackingStrategy strategy, IReadOnlyList<PodGroup>? order = null, IReadOnlyList<ClaimSeed>? seeds = null)
    {
        _seeds = seeds;
        _order = order ?? model.Groups;
        _m = model;
        _strategy = strategy;
        _topology = model.InitialTopology.Clone();
        _nodes = model.InitialNodes.Select(n => n.Clone()).ToList();
        _placed = new int[model.Groups.Count];
        _reasons = new string?[model.Groups.Count];
        _reserved = new ResourceVector[model.Pools.Count];
        _claimsPerPool = new int[model.Pools.Count];
        _openDemand = new (double, double)[model.Pools.Count];
        _selective = model.Groups.Where(HasNodeSelection).ToList();
        _ownClaims = strategy == PackingStrategy.PerGroup ? new List<ClaimTarget>?[model.Groups.Count] : null;
        foreach (var g in model.Groups)
        {
            AddOpenDemand(g, g.Count);
        }
    }

    public IReadOnlyList<ClaimTarget> Claims => _claims;

    public IReadOnlyList<NodeTarget> Nodes => _nodes;

    /// <summary>Groups and how many of their pods stayed pending, with the reason.</summary>
    public IEnumerable<(PodGroup Group, int Placed, string Reason)> Unplaced() =>
        _m.Groups.Where(g => _placed[g.Index] < g.Count).Select(g => (g, _placed[g.Index], _reasons[g.Index] ?? "no node or nodepool can take the pod"));

    public void Run(int rounds = 1)
    {
        if (_seeds is not null)
        {
            Seed(_seeds);
        }

        if (_strategy == PackingStrategy.MixTarget && rounds > 1)
        {
            // The most constrained pods go first, on claims aimed at their own mix: pods a zonal spread
            // pins to every zone, then pods whose node selection narrows the types (an architecture, a
            // capacity type). Mixed in with the rest, they would pull pods that could run on the cheapest
            // offerings onto dearer ones; placed first, they leave only slack for the rest to fill.
            var pinned = _order.Where(IsZonePinned).ToList();
            var narrowed = _order.Where(g => !IsZonePinned(g) && NarrowsTypes(g)).ToList();
            foreach (var phase in new[] { pinned, narrowed })
            {
                if (phase.Count > 0 && phase.Count < _order.Count)
                {
                    _phase = phase;
                    Interleave(phase, rounds);
                }
            }

            _phase = null;
        }

        Interleave(_order, rounds);

        // Repeat until a pass places nothing: pods with affinity to pods later in the queue get another turn.
        var progress = true;
        while (progress)
        {
            progress = false;
            foreach (var g in _order)
            {
                if (_placed[g.Index] < g.Count && PlaceGroup(g))
                {
                    progress = true;
                }
            }
        }

        if (_seeds is not null)
        {
            ReleaseSeedZones();
        }
    }

    /// <summary>Opens the seeded claims and puts their share of pods on them, as far as every check allows.</summary>
    private void Seed(IReadOnlyList<ClaimSeed> seeds)
    {
        var relax = Relaxation.Strict;
        foreach (var seed in seeds)
        {
            // Largest pods first, so the small ones fill what the large ones leave on each node.
            var mix = seed.Mix.OrderByDescending(m => m.Group.Requests.MilliCpu).ThenByDescending(m => m.Group.Requests.Memory).ToList();
            var placedHere = new int[mix.Count];
            for (var i = 0; i < seed.Nodes; i++)
            {
                ClaimTarget? claim = null;
                for (var j = 0; j < mix.Count; j++)
                {
                    // The pattern's pods so far, rounded down: a node that could not take its share passes it on.
                    var (g, perNode) = mix[j];
                    var want = Math.Min((int)Math.Floor(((i + 1) * perNode) + 1e-6) - placedHere[j], g.Count - _placed[g.Index]);
                    if (want <= 0)
                    {
                        continue;
                    }

                    var reqs = g.RequiredTerms.Count == 1 ? g.RequiredTerms[0] : RequirementSet.Empty;
                    if (claim is null)
                    {
                        var before = _placed[g.Index];
                        claim = SeedClaim(seed, g, relax, reqs, want);
                        placedHere[j] += _placed[g.Index] - before;
                        continue;
                    }

                    var k = ClaimFit(claim, g, relax, reqs, want, out var merged, out var types);
                    if (k > 0)
                    {
                        claim.Requirements = merged;
                        CommitClaim(claim, g, relax, k, types);
                        placedHere[j] += k;
                    }
                }
            }
        }
    }

    /// <summary>
    /// A seeded claim none of whose pods has a zone rule (spread, pod affinity, node selection on the zone,
    /// or counting toward one) keeps no zone requirement: it may launch in any zone its pool allows.
    /// </summary>
    private void ReleaseSeedZones()
    {
        const string zone = WellKnownLabels.Zone;
        foreach (var claim in _claims)
        {
            if (claim.ZoneFromSeed && !claim.GroupPods.Keys.Any(g =>
                g.RequiredTerms.Exists(t => t.Has(zone)) || g.PreferredNodeTerms.Exists(t => t.Has(zone)) ||
                g.TopologyGroups().Any(tg => tg.Key == zone)))
            {
                var released = claim.Requirements.Remove(zone);
                claim.Requirements = claim.Pool.Requirements[zone] is { } poolZone ? released.Add(poolZone) : released;
                claim.ZoneFromSeed = false;
            }
        }
    }

    private ClaimTarget? SeedClaim(ClaimSeed seed, PodGroup g, Relaxation relax, RequirementSet reqs, int want)
    {
        var pool = seed.Pool;
        if (Taints.FirstUntolerated(pool.Taints, g.Tolerations, !relax.ToleratePreferNoSchedule) is not null ||
            pool.Requirements.Compatible(reqs, _m.WellKnown) is not null ||
            (pool.NodeLimit is { } nodeLimit && pool.NodesInUse + _claimsPerPool[pool.Index] >= nodeLimit))
        {
            return null;
        }

        // The claim starts in the zone the LP put it in, so spread chunks for that zone find it; the pin is
        // released at the end if no pod on it has a zone rule (see ReleaseSeedZones).
        var merged = pool.Requirements.Add(reqs);
        if (seed.Zone is { } zone)
        {
            merged = merged.Add(Requirement.In(WellKnownLabels.Zone, zone));
        }

        if (!pool.Types.And(_m.Index.For(merged)).Contains(seed.Type) || !WithinLimits(_m.Index.Capacity[seed.Type], RemainingLimits(pool)))
        {
            return null;
        }

        var claim = new ClaimTarget { Id = _claims.Count, Pool = pool, Requirements = merged, Types = [seed.Type], ZoneFromSeed = seed.Zone is not null };
        claim.Ports.AddRange(pool.DaemonPorts);
        var k = ClaimFit(claim, g, relax, RequirementSet.Empty, want, out _, out var types);
        if (k == 0)
        {
            return null;
        }

        _claims.Add(claim);
        _claimsPerPool[pool.Index]++;
        CommitClaim(claim, g, relax, k, types);
        return claim;
    }

    /// <summary>
    /// Interleaving: the first passes place only a share of each group, so claims get a mix of pod
    /// shapes instead of one group filling a claim's cpu while its memory idles.
    /// </summary>
    private void Interleave(IReadOnlyList<PodGroup> groups, int rounds)
    {
        // While the rounds run, a claim's unfilled room is not free to every pod: it was opened (and aimed at
        // a type) for the pods that belong on its offerings. Pods that would cost markedly less each on
        // offerings of their own (spot rather than the claim's on-demand, a cheaper zone, their cheaper
        // architecture) take it only in the final pass, when it is left over for real.
        _homeOnly = true;
        try
        {
            InterleaveRounds(groups, rounds);
        }
        finally
        {
            _homeOnly = false;
        }
    }

    private void InterleaveRounds(IReadOnlyList<PodGroup> groups, int rounds)
    {
        for (var round = 1; round < rounds; round++)
        {
            foreach (var g in groups)
            {
                var target = (int)Math.Ceiling(g.Count * (double)round / rounds);
                if (_placed[g.Index] < target)
                {
                    PlaceGroup(g, target);
                }
            }
        }
    }

    /// <summary>True when every pool the group may use offers it fewer types than the pool has.</summary>
    private bool NarrowsTypes(PodGroup g)
    {
        var any = false;
        foreach (var pool in _m.Pools)
        {
            if (!UsesPool(g, pool))
            {
                continue;
            }

            any = true;
            var all = pool.Types.Count;
            foreach (var term in g.RequiredTerms)
            {
                if (pool.Requirements.Compatible(term, _m.WellKnown) is null && pool.Types.And(_m.Index.For(pool.Requirements.Add(term))).Count >= all)
                {
                    return false;
                }
            }

            if (g.RequiredTerms.Count == 0)
            {
                return false;
            }
        }

        return any;
    }

    private static bool IsZonePinned(PodGroup g) =>
        g.Spreads.Exists(s => !s.ScheduleAnyway && !s.Group.IsHostname && s.Group.Matches(g.Namespace, g.Labels));

    private bool PlaceGroup(PodGroup g, int upTo = int.MaxValue)
    {
        var any = false;
        if (g.InvalidReason is not null)
        {
            _reasons[g.Index] = g.InvalidReason;
            return false;
        }

        while (_placed[g.Index] < Math.Min(g.Count, upTo))
        {
            var relax = _m.Options.PreferencePolicy == PreferencePolicy.Ignore ? Relaxation.Ignore(g) : Relaxation.Strict;
            var placed = false;
            string? reason = null;
            while (relax is not null)
            {
                if (TryPlaceChunk(g, relax, upTo, out reason))
                {
                    placed = true;
                    break;
                }

                relax = relax.Next(g, _m.AnyPreferNoSchedule);
            }

            if (!placed)
            {
                _reasons[g.Index] = reason;
                return any;
            }

            any = true;
        }

        return any;
    }

    private bool TryPlaceChunk(PodGroup g, Relaxation relax, int upTo, out string? reason)
    {
        var remaining = Math.Min(g.Count, upTo) - _placed[g.Index];
        var reqs = relax.Requirements(g);
        var limit = remaining;
        var narrow = RequirementSet.Empty;

        // Zone (and other non-hostname) topology decides the domain before any node is looked at.
        // Domains owned by pods that repel this one: no spread, affinity or anti-affinity pick may choose one
        // (they still count for skew).
        var repelled = RequirementSet.Empty;
        foreach (var tg in g.RepelledBy)
        {
            if (!tg.IsHostname && _topology.Owners(tg).Count > 0)
            {
                repelled = repelled.Add(Requirement.NotIn(tg.Key, _topology.Owners(tg)));
            }
        }

        foreach (var tg in relax.Spreads(g))
        {
            if (tg.IsHostname)
            {
                continue;
            }

            var (domain, allot, why) = SpreadDomain(g, tg, relax, relax.StrictRequirements(g).Add(narrow), reqs.Add(narrow).Add(repelled), remaining);
            if (domain is null)
            {
                reason = why;
                return false;
            }

            narrow = narrow.Add(Requirement.In(tg.Key, domain));
            limit = Math.Min(limit, allot);
        }

        List<(TopologyGroup Group, string Domain)>? picks = null;
        foreach (var tg in relax.Affinity(g))
        {
            if (tg.IsHostname)
            {
                continue;
            }

            var allowed = AllowedDomains(g, tg.Key, reqs.Add(narrow).Add(repelled));
            var withPods = allowed.Where(d => _topology.Count(tg, d) > 0).ToList();
            string? pick;
            if (withPods.Count > 0)
            {
                pick = withPods.OrderByDescending(d => _topology.Count(tg, d)).ThenBy(d => d, StringComparer.Ordinal).First();
            }
            else if (_topology.Total(tg) == 0 && tg.Matches(g.Namespace, g.Labels))
            {
                // Any domain will do for the group's first pod; one that cannot take it is skipped on retry.
                pick = allowed.FirstOrDefault();
                if (pick is not null)
                {
                    (picks ??= []).Add((tg, pick));
                }
            }
            else
            {
                pick = null;
            }

            if (pick is null)
            {
                reason = $"unsatisfiable {tg.Describe()}: no {tg.Key} domain holds a matching pod";
                return false;
            }

            narrow = narrow.Add(Requirement.In(tg.Key, pick));
        }

        foreach (var tg in relax.AntiAffinity(g))
        {
            if (tg.IsHostname)
            {
                continue;
            }

            var free = AllowedDomains(g, tg.Key, reqs.Add(narrow).Add(repelled)).Where(d => _topology.Count(tg, d) == 0).ToList();
            if (free.Count == 0)
            {
                reason = $"unsatisfiable {tg.Describe()}: every {tg.Key} domain already holds a matching pod";
                return false;
            }

            // Any free domain will do; one that cannot take the pod is skipped on retry.
            (picks ??= []).Add((tg, free[0]));
            narrow = narrow.Add(Requirement.In(tg.Key, free[0]));
            if (tg.Matches(g.Namespace, g.Labels))
            {
                limit = 1;
            }
        }

        foreach (var tg in g.RepelledBy)
        {
            if (!tg.IsHostname && _topology.Owners(tg).Count > 0)
            {
                narrow = narrow.Add(Requirement.NotIn(tg.Key, _topology.Owners(tg)));
            }
        }

        var chunkReqs = narrow.Count == 0 ? reqs : reqs.Add(narrow);
        // Only the keys the topology narrowed can have become empty here (the rest are the group's own).
        if (narrow.Count > 0 && narrow.Keys.Any(k => chunkReqs[k]!.IsEmpty && reqs[k]?.IsEmpty != true))
        {
            reason = "the pod's topology constraints leave no domain it may use";
            return false;
        }

        if (g.HostPorts.Count > 0)
        {
            limit = 1;
        }

        // Every reason to reject a node or claim only grows stronger as pods are added (room shrinks,
        // counts and owners grow, requirements narrow), except hostname pod affinity. So a scan for the
        // same pods and requirements resumes where the last one found only rejections.
        var view = View(g, relax);
        var resumable = view.Affinity.Count == 0;
        var scanKey = (g.Index, relax, chunkReqs);
        var (nodeFrom, claimFrom) = resumable && _scanFrom.TryGetValue(scanKey, out var from) ? from : (0, 0);

        // Existing nodes first.
        for (var i = nodeFrom; i < _nodes.Count; i++)
        {
            var node = _nodes[i];
            var k = NodeFit(node, g, relax, chunkReqs, limit);
            if (k > 0)
            {
                Commit(node, g, relax, k);
                if (resumable)
                {
                    _scanFrom[scanKey] = (nodeFrom, claimFrom);
                }

                reason = null;
                return true;
            }

            if (i == nodeFrom)
            {
                nodeFrom++;
            }
        }

        if (_strategy is PackingStrategy.MarginalCost or PackingStrategy.MixTarget)
        {
            reason = null;
            var placedByCost = PlaceByMarginalCost(g, relax, chunkReqs, limit, ref claimFrom);
            if (resumable)
            {
                _scanFrom[scanKey] = (nodeFrom, claimFrom);
            }

            if (placedByCost)
            {
                return true;
            }
        }

        // Then claims planned in this run, in creation order (first fit); for the per-group packing, the
        // group's own claims only.
        var scanned = _ownClaims is null ? _claims : _ownClaims[g.Index] ?? [];
        for (var i = _strategy is PackingStrategy.MarginalCost or PackingStrategy.MixTarget ? scanned.Count : claimFrom; i < scanned.Count; i++)
        {
            var claim = scanned[i];
            var k = 0;
            RequirementSet merged = claim.Requirements;
            int[] types = claim.Types;
            if (g.Requests.FixedFitsIn(claim.MaxRoom))
            {
                k = ClaimFit(claim, g, relax, chunkReqs, limit, out merged, out types);
            }

            if (k > 0)
            {
                claim.Requirements = merged;
                CommitClaim(claim, g, relax, k, types);
                if (resumable)
                {
                    _scanFrom[scanKey] = (nodeFrom, claimFrom);
                }

                reason = null;
                return true;
            }

            if (i == claimFrom)
            {
                claimFrom++;
            }
        }

        if (resumable)
        {
            _scanFrom[scanKey] = (nodeFrom, claimFrom);
        }

        // Then a new claim from the first NodePool, by weight, that can take the pod.
        var reasons = new List<string>();
        foreach (var pool in _m.Pools)
        {
            var claim = NewClaim(pool, g, relax, chunkReqs, limit, out var k, out var why);
            if (claim is null)
            {
                reasons.Add(_m.Pools.Count == 1 ? why! : $"nodepool \"{pool.Name}\": {why}");
                continue;
            }

            _claims.Add(claim);
            _claimsPerPool[pool.Index]++;
            if (_ownClaims is not null)
            {
                (_ownClaims[g.Index] ??= []).Add(claim);
            }

            CommitClaim(claim, g, relax, k, claim.Types);
            reason = null;
            return true;
        }

        if (_ownClaims is not null && SharedFallback(g, relax, chunkReqs, limit))
        {
            reason = null;
            return true;
        }

        // A spread domain that cannot take the pod is skipped next time; it still counts for skew.
        foreach (var tg in relax.Spreads(g))
        {
            if (!tg.IsHostname && narrow[tg.Key] is { Values.Count: 1 } chosen && Block(g.Index, tg.Key, chosen.Values[0]))
            {
                return TryPlaceChunk(g, relax, upTo, out reason);
            }
        }

        foreach (var (tg, domain) in picks ?? [])
        {
            if (Block(g.Index, tg.Key, domain))
            {
                return TryPlaceChunk(g, relax, upTo, out reason);
            }
        }

        reason = _m.Pools.Count == 0 ? "no nodepool exists" : string.Join("; ", reasons.Distinct());
        return false;
    }

    /// <summary>
    /// For the per-group packing, when no new claim can take the pods (a NodePool limit, say): rather than
    /// leave them pending, they may join a claim another group opened, first fit, as any plan would.
    /// </summary>
    private bool SharedFallback(PodGroup g, Relaxation relax, RequirementSet chunkReqs, int limit)
    {
        foreach (var claim in _claims)
        {
            if (claim.GroupPods.ContainsKey(g))
            {
                continue;
            }

            // A per-group claim was aimed at its group's one cheapest type; finalize launches it as the cheapest
            // type its requirements allow, so the pods may count on every such type that holds what it carries.
            var own = claim.Types;
            claim.Types = [.. claim.Pool.Types.And(_m.Index.For(claim.Requirements)).Indices().Where(t => claim.Used.FitsIn(claim.Pool.Room[t]))];
            var k = ClaimFit(claim, g, relax, chunkReqs, limit, out var merged, out var types);
            if (k > 0)
            {
                claim.Requirements = merged;
                CommitClaim(claim, g, relax, k, types);
                return true;
            }

            claim.Types = own;
        }

        return false;
    }

    /// <summary>
    /// Slack first: a claim whose current launch type still has room takes the pods at no extra cost.
    /// Otherwise the claim (or a new one) with the least added price per pod wins.
    /// </summary>
    private bool PlaceByMarginalCost(PodGroup g, Relaxation relax, RequirementSet chunkReqs, int limit, ref int claimFrom)
    {
        var start = claimFrom;
        var contiguous = true;
        for (var i = start; i < _claims.Count; i++)
        {
            var c = _claims[i];
            if (_homeOnly && !(c.AtHome ??= AtHome(c.Pool, c.Requirements))[g.Index])
            {
                contiguous = false;
                continue;
            }

            if (!g.Requests.FixedFitsIn(c.MaxRoom) || HostCap(c, g, relax, limit) == 0)
            {
                // Rejected for good (room only shrinks, counts only grow): later scans may start past it.
                claimFrom += contiguous ? 1 : 0;
                continue;
            }

            if (!g.Requests.FitsIn(c.LaunchRoom))
            {
                contiguous = false;
                continue;
            }

            var k = ClaimFit(c, g, relax, chunkReqs, limit, out var merged, out var types, launchTypeOnly: true);
            contiguous = false;

            // Slack is free only if the pods do not move the claim to a dearer offering (say, a zone
            // a spread chunk pins it to); otherwise the claim competes on added cost below.
            if (k > 0 && (ReferenceEquals(merged, c.Requirements) || PricesAt(merged)[c.LaunchType] <= c.LaunchPrice + 1e-12))
            {
                c.Requirements = merged;
                CommitClaim(c, g, relax, k, types);
                return true;
            }
        }

        ClaimTarget? best = null;
        var bestK = 0;
        var bestTypes = Array.Empty<int>();
        var bestMerged = RequirementSet.Empty;
        var bestPerPod = double.PositiveInfinity;
        var evaluated = 0;
        for (var i = claimFrom; i < _claims.Count && evaluated < MarginalCandidates; i++)
        {
            var c = _claims[i];
            if (!g.Requests.FixedFitsIn(c.MaxRoom) || (_homeOnly && !(c.AtHome ??= AtHome(c.Pool, c.Requirements))[g.Index]))
            {
                continue;
            }

            var k = ClaimFit(c, g, relax, chunkReqs, limit, out var merged, out var types);
            if (k == 0)
            {
                continue;
            }

            evaluated++;
            var used = c.Used + (g.Requests * k);
            var price = double.PositiveInfinity;
            var prices = PricesAt(merged);
            foreach (var t in types)
            {
                if (prices[t] < price && used.FitsIn(c.Pool.Room[t]))
                {
                    price = prices[t];
                }
            }

            var perPod = (price - c.LaunchPrice) / k;
            if (perPod < bestPerPod - 1e-12)
            {
                (best, bestK, bestTypes, bestMerged, bestPerPod) = (c, k, types, merged, perPod);
            }
        }

        if (best is null)
        {
            return false;
        }

        // A new claim wins when its pods cost less each than growing the best existing claim.
        if (NewClaimPerPodCost(g, relax, chunkReqs, limit) < bestPerPod - 1e-12)
        {
            return false;
        }

        best.Requirements = bestMerged;
        CommitClaim(best, g, relax, bestK, bestTypes);
        return true;
    }

    private const int MarginalCandidates = 4;

    /// <summary>How much dearer per pod a claim's offerings may be than a group's own cheapest for the group to be at home there.</summary>
    private const double HomeTolerance = 0.25;

    /// <summary>Price per pod of a fresh claim for these pods; cached, as it depends only on the pods and requirements.</summary>
    private double NewClaimPerPodCost(PodGroup g, Relaxation relax, RequirementSet chunkReqs, int limit)
    {
        if (_newClaimCost.TryGetValue((g.Index, relax, chunkReqs, limit), out var cached))
        {
            return cached;
        }

        var cost = double.PositiveInfinity;
        foreach (var pool in _m.Pools)
        {
            var fresh = NewClaim(pool, g, relax, chunkReqs, limit, out var kNew, out _);
            if (fresh is null)
            {
                continue;
            }

            // Priced at the cheapest type that holds these pods alone, not the type a mix-target claim is aimed
            // at: the aimed type is cheap only per share of a mix other pods may never bring (pods not at home
            // on its offerings stay away during the rounds), and charged in full to a chunk of one or two pods
            // it made growing any claim look cheaper, even one the chunk moves from spot to on-demand.
            var used = g.Requests * kNew;
            var prices = PricesAt(fresh.Requirements);
            var remaining = RemainingLimits(pool);
            foreach (var t in pool.Types.And(_m.Index.For(fresh.Requirements)).Indices())
            {
                if (used.FitsIn(pool.Room[t]) && WithinLimits(_m.Index.Capacity[t], remaining))
                {
                    cost = Math.Min(cost, prices[t] / kNew);
                }
            }

            break;
        }

        _newClaimCost[(g.Index, relax, chunkReqs, limit)] = cost;
        return cost;
    }

    /// <summary>Marks a domain as unable to take the group's pods; false when it already was.</summary>
    private bool Block(int group, string key, string domain)
    {
        if (!_blockedDomains.TryGetValue((group, key), out var blocked))
        {
            blocked = new HashSet<string>(StringComparer.Ordinal);
            _blockedDomains[(group, key)] = blocked;
        }

        return blocked.Add(domain);
    }

    /// <summary>Domains of <paramref name="key"/> the pod's requirements allow, minus domains that failed it.</summary>
    private List<string> AllowedDomains(PodGroup g, string key, RequirementSet reqs)
    {
        var r = reqs[key];
        var blocked = _blockedDomains.GetValueOrDefault((g.Index, key));
        if (blocked is null && _allowedCache.TryGetValue((key, r), out var cached))
        {
            return cached;
        }

        var list = new List<string>();
        foreach (var d in _m.Domains(key))
        {
            if ((r is null || r.Has(d)) && (blocked is null || !blocked.Contains(d)))
            {
                list.Add(d);
            }
        }

        if (blocked is null)
        {
            _allowedCache[(key, r)] = list;
        }

        return list;
    }

    /// <summary>
    /// The domain the next chunk of a spread group goes to and how many pods it may take: the final
    /// distribution of the remaining pods is water-filled onto the least-loaded eligible domains.
    /// </summary>
    private (string? Domain, int Allot, string? Why) SpreadDomain(PodGroup g, TopologyGroup tg, Relaxation relax, RequirementSet strict, RequirementSet reqs, int remaining)
    {
        // Required node selection decides which domains count; preferences only choose among them.
        var r = strict[tg.Key];
        var preferred = reqs[tg.Key];
        var eligible = _m.Domains(tg.Key).Where(d => r is null || r.Has(d)).ToList();
        if (eligible.Count == 0)
        {
            return (null, 0, $"unsatisfiable {tg.Describe()}: no {tg.Key} domain is allowed");
        }

        var blocked = _blockedDomains.GetValueOrDefault((g.Index, tg.Key));
        var counts = eligible.Select(d => _topology.Count(tg, d)).ToArray();
        var min = tg.MinDomains is { } md && eligible.Count < md ? 0 : counts.Min();
        var self = tg.Matches(g.Namespace, g.Labels);
        if (!self)
        {
            // Placing the pod does not change counts: any domain within skew will do.
            for (var i = 0; i < eligible.Count; i++)
            {
                if ((blocked is null || !blocked.Contains(eligible[i])) && (preferred is null || preferred.Has(eligible[i])) && counts[i] - min <= tg.MaxSkew)
                {
                    return (eligible[i], remaining, null);
                }
            }

            return (null, 0, $"unsatisfiable {tg.Describe()}");
        }

        // Blocked domains stay at their count, so they hold the minimum down. So do domains only existing nodes
        // have (kube-scheduler counts every node's domain the pod's node selection admits), up to the room their
        // nodes have for the pod: the fill may not count on pods a domain cannot take.
        var final = (int[])counts.Clone();
        var open = new bool[eligible.Count];
        var room = new long[eligible.Count];
        var launchable = LaunchableDomains(g, tg.Key);
        for (var i = 0; i < eligible.Count; i++)
        {
            open[i] = (blocked is null || !blocked.Contains(eligible[i])) && (preferred is null || preferred.Has(eligible[i]));
            room[i] = !open[i] || launchable.Contains(eligible[i]) ? long.MaxValue : ExistingRoom(g, relax, reqs, tg.Key, eligible[i]);
        }

        var placed = 0;
        while (placed < remaining)
        {
            var best = -1;
            for (var i = 0; i < final.Length; i++)
            {
                if (open[i] && final[i] - counts[i] < room[i] && (best < 0 || final[i] < final[best]))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                break;
            }

            var curMin = tg.MinDomains is { } m2 && eligible.Count < m2 ? 0 : final.Min();
            if (final[best] + 1 - curMin > tg.MaxSkew)
            {
                break;
            }

            final[best]++;
            placed++;
        }

        // The chunk goes to the least-loaded domain that receives pods.
        var pick = -1;
        for (var i = 0; i < final.Length; i++)
        {
            if (final[i] > counts[i] && (pick < 0 || counts[i] < counts[pick]))
            {
                pick = i;
            }
        }

        if (pick < 0)
        {
            return (null, 0, $"unsatisfiable {tg.Describe()}: placing the pod would exceed maxSkew");
        }

        return (eligible[pick], final[pick] - counts[pick], null);
    }

    /// <summary>How many pods the hostname-level constraints allow on a target (0 = none).</summary>
    private int HostCap(Target t, PodGroup g, Relaxation relax, int limit)
    {
        var view = View(g, relax);
        if (view.IsEmpty)
        {
            return limit;
        }

        var cap = limit;
        foreach (var (id, skew) in view.SelfSpread)
        {
            cap = Math.Min(cap, skew - t.HostCount(id));
        }

        foreach (var (id, skew) in view.OtherSpread)
        {
            if (t.HostCount(id) > skew)
            {
                return 0;
            }
        }

        foreach (var (id, self) in view.Anti)
        {
            if (t.HostCount(id) > 0)
            {
                return 0;
            }

            if (self)
            {
                cap = Math.Min(cap, 1);
            }
        }

        foreach (var (tg, self) in view.Affinity)
        {
            if (t.HostCount(tg.Id) == 0 && !(self && _topology.Total(tg) == 0))
            {
                return 0;
            }
        }

        foreach (var id in view.Repelled)
        {
            if (t.AntiOwners.Contains(id))
            {
                return 0;
            }
        }

        if (g.HostPorts.Count > 0)
        {
            foreach (var p in t.Ports)
            {
                foreach (var q in g.HostPorts)
                {
                    if (p.ConflictsWith(q))
                    {
                        return 0;
                    }
                }
            }
        }

        return Math.Max(cap, 0);
    }

    private RelaxedView View(PodGroup g, Relaxation relax)
    {
        // Scans ask for the same group's view once per node or claim: remember the last one (hashing the
        // relaxation record for every target was a third of a 50,000-pod solve).
        if (ReferenceEquals(_lastView.Group, g) && ReferenceEquals(_lastView.Relax, relax))
        {
            return _lastView.View!;
        }

        if (!_views.TryGetValue((g.Index, relax), out var view))
        {
            view = new RelaxedView(g, relax);
            _views[(g.Index, relax)] = view;
        }

        _lastView = (g, relax, view);
        return view;
    }

    /// <summary>Domains of <paramref name="key"/> a new claim of a NodePool the group may use can be launched in.</summary>
    private HashSet<string> LaunchableDomains(PodGroup g, string key)
    {
        if (!_launchableDomains.TryGetValue((g.Index, key), out var set))
        {
            set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pool in _m.Pools.Where(p => UsesPool(g, p)))
            {
                _m.AddPoolDomains(pool, key, set, launchable: true);
            }

            _launchableDomains[(g.Index, key)] = set;
        }

        return set;
    }

    /// <summary>How many of the group's pods the existing nodes in <paramref name="domain"/> can take now.</summary>
    private long ExistingRoom(PodGroup g, Relaxation relax, RequirementSet reqs, string key, string domain)
    {
        var inDomain = reqs.Add(Requirement.In(key, domain));
        long room = 0;
        foreach (var node in _nodes)
        {
            if (node.Domain(key) == domain)
            {
                room += NodeFit(node, g, relax, inDomain, int.MaxValue);
            }
        }

        return room;
    }

    private int NodeFit(NodeTarget node, PodGroup g, Relaxation relax, RequirementSet reqs, int limit)
    {
        if (node.Cordoned || ResourceVector.HowManyFit(node.Allocatable, node.Used, g.Requests) == 0)
        {
            return 0;
        }

        if (Taints.FirstUntolerated(node.Taints, g.Tolerations, !relax.ToleratePreferNoSchedule) is not null || !reqs.MatchesLabels((IReadOnlyDictionary<string, string>)node.Labels))
        {
            return 0;
        }

        var cap = HostCap(node, g, relax, limit);
        if (cap == 0)
        {
            return 0;
        }

        return (int)Math.Min(cap, ResourceVector.HowManyFit(node.Allocatable, node.Used, g.Requests));
    }

    private int ClaimFit(ClaimTarget claim, PodGroup g, Relaxation relax, RequirementSet reqs, int limit, out RequirementSet merged, out int[] types, bool launchTypeOnly = false)
    {
        merged = claim.Requirements;
        types = claim.Types;
        if (Taints.FirstUntolerated(claim.Pool.Taints, g.Tolerations, !relax.ToleratePreferNoSchedule) is not null)
        {
            return 0;
        }

        var cap = HostCap(claim, g, relax, limit);
        if (cap == 0)
        {
            return 0;
        }

        if (Compatible(claim.Requirements, reqs) is not null)
        {
            return 0;
        }

        merged = Merge(claim.Requirements, reqs);

        if (!ReferenceEquals(merged, claim.Requirements))
        {
            // Asked again for every chunk of every group the claim is weighed for: narrow each (types, requirements) once.
            if (!_narrowCache.TryGetValue((claim.Types, merged), out var narrowed))
            {
                var allowed = _m.Index.For(merged);
                narrowed = Array.FindAll(claim.Types, allowed.Contains);
                _narrowCache[(claim.Types, merged)] = narrowed;
            }

            types = narrowed;
            if (types.Length == 0)
            {
                return 0;
            }
        }

        if (claim.Pool.Limits.Count > 0)
        {
            // The claim may grow into a larger type only as far as the NodePool's limits allow.
            var remaining = RemainingLimits(claim.Pool)!;
            var tight = false;
            foreach (var (name, _) in claim.Pool.Limits)
            {
                remaining[name] += claim.Reserved.Get(name);
                tight |= remaining[name] < claim.Pool.MaxCapacity.Get(name);
            }

            if (tight)
            {
                types = types.Where(t => WithinLimits(_m.Index.Capacity[t], remaining)).ToArray();
            }
        }

        if (launchTypeOnly)
        {
            // Only the slack of the type the claim would launch now.
            return Array.IndexOf(types, claim.LaunchType) >= 0 ? (int)Math.Min(cap, claim.LaunchRoom.HowManyFit(g.Requests)) : 0;
        }

        var best = 0L;
        foreach (var t in types)
        {
            var n = ResourceVector.HowManyFit(claim.Pool.Room[t], claim.Used, g.Requests);
            if (n > best)
            {
                best = n;
            }
        }

        if (claim.MinValues is not null)
        {
            best = Math.Min(best, MinValuesCap(claim.Pool, types, claim.Used, g.Requests, claim.MinValues));
        }

        return (int)Math.Min(best, cap);
    }

    /// <summary><paramref name="existing"/> with <paramref name="incoming"/> added, remembered; <paramref name="existing"/> itself when that adds nothing.</summary>
    private RequirementSet Merge(RequirementSet existing, RequirementSet incoming)
    {
        if (!_mergeCache.TryGetValue((existing, incoming), out var merged))
        {
            merged = existing.Add(incoming);
            if (merged.Equals(existing))
            {
                merged = existing;
            }

            _mergeCache[(existing, incoming)] = merged;
        }

        return merged;
    }

    /// <summary><see cref="RequirementSet.Compatible"/>, remembered: the packings ask it for the same pairs again and again.</summary>
    private string? Compatible(RequirementSet existing, RequirementSet incoming)
    {
        if (!_compatCache.TryGetValue((existing, incoming), out var why))
        {
            why = existing.Compatible(incoming, _m.WellKnown);
            _compatCache[(existing, incoming)] = why;
        }

        return why;
    }

    private ClaimTarget? NewClaim(PoolTemplate pool, PodGroup g, Relaxation relax, RequirementSet reqs, int limit, out int k, out string? why)
    {
        k = 0;
        if (Taints.FirstUntolerated(pool.Taints, g.Tolerations, !relax.ToleratePreferNoSchedule) is { } taint)
        {
            why = $"did not tolerate taint {Taints.Describe(taint)}";
            return null;
        }

        why = Compatible(pool.Requirements, reqs);
        if (why is not null)
        {
            return null;
        }

        if (pool.NodeLimit is { } nodeLimit && pool.NodesInUse + _claimsPerPool[pool.Index] >= nodeLimit)
        {
            why = $"node limit of nodepool exhausted (limits.nodes {nodeLimit})";
            return null;
        }

        var merged = Merge(pool.Requirements, reqs);
        var allowed = pool.Types.And(_m.Index.For(merged));
        allowed.CopyIndices(_buffer);
        if (_buffer.Count == 0)
        {
            why = $"no instance type satisfies the requirements ({Summarize(merged)})";
            return null;
        }

        var remainingLimits = RemainingLimits(pool);
        if (remainingLimits is not null && pool.Limits.All(l => remainingLimits[l.Name] >= pool.MaxCapacity.Get(l.Name)))
        {
            remainingLimits = null;
        }

        // Without limits in play the fitting types depend on the pool, the group and the requirements only: a run
        // opens claims for the same ones again and again (and never edits the list).
        List<int>? fitting = null;
        var withinLimits = 0;
        if (remainingLimits is null && _fittingCache.TryGetValue((pool.Index, g.Index, merged), out fitting))
        {
            withinLimits = _buffer.Count;
        }
        else
        {
            fitting = new List<int>(_buffer.Count);
            foreach (var t in _buffer)
            {
                if (!WithinLimits(_m.Index.Capacity[t], remainingLimits))
                {
                    continue;
                }

                withinLimits++;
                if (g.Requests.FitsIn(pool.Room[t]))
                {
                    fitting.Add(t);
                }
            }

            if (remainingLimits is null)
            {
                _fittingCache[(pool.Index, g.Index, merged)] = fitting;
            }
        }

        if (withinLimits == 0)
        {
            why = $"all available instance types exceed the nodepool's remaining limits ({DescribeLimits(pool, remainingLimits)})";
            return null;
        }

        if (fitting.Count == 0)
        {
            var fitsIgnoringLimits = _buffer.Any(t => g.Requests.FitsIn(pool.Room[t]));
            if (fitsIgnoringLimits)
            {
                why = $"the instance types that fit the pod exceed the nodepool's remaining limits ({DescribeLimits(pool, remainingLimits)})";
                return null;
            }

            var largest = _buffer.Select(t => pool.Room[t]).Aggregate(ResourceVector.Zero, ResourceVector.Max);
            var hint = g.Requests.MilliCpu >= 1_000_000_000 ? " (CPU request >= 1 million cores, m vs M typo?)" : "";
            why = $"no instance type has enough resources: pod requests {g.Requests}, largest compatible type allows {largest} after daemonset overhead{hint}";
            return null;
        }

        // minValues: the claim's types must span enough distinct values.
        Dictionary<string, int>? minValues = null;
        var relaxed = false;
        foreach (var r in merged.AnyMinValues ? merged : RequirementSet.Empty)
        {
            if (r.MinValues is not { } mv)
            {
                continue;
            }

            var distinct = fitting.Select(t => _m.Index.Types[t].Labels.GetValueOrDefault(r.Key)).Where(v => v is not null).Distinct().Count();
            if (distinct < mv)
            {
                if (_m.Options.MinValuesPolicy == MinValuesPolicy.Strict)
                {
                    why = $"nodepool couldn't meet minValues requirements: {r.Key} needs {mv} distinct values, the fitting types span {distinct}";
                    return null;
                }

                relaxed = true;
                mv = Math.Max(distinct, 1);
            }

            minValues ??= new Dictionary<string, int>(StringComparer.Ordinal);
            minValues[r.Key] = mv;
        }

        var planned = _strategy == PackingStrategy.PerGroup && minValues is null
            ? OwnCheapest(pool, g, relax, merged, fitting, limit)
            : ChooseTypes(pool, merged, fitting, minValues);
        var claim = new ClaimTarget
        {
            Id = _claims.Count,
            Pool = pool,
            Requirements = merged,
            Types = [.. planned],
            MinValues = minValues,
            MinValuesRelaxed = relaxed,
        };
        claim.Ports.AddRange(pool.DaemonPorts);
        if (g.HostPorts.Count > 0 && claim.Ports.Any(p => g.HostPorts.Any(p.ConflictsWith)))
        {
            why = "host port conflicts with a daemonset on every new node";
            return null;
        }

        k = ClaimFit(claim, g, relax, RequirementSet.Empty, limit, out _, out var types);
        if (k == 0)
        {
            why = $"unsatisfiable hostname topology for a new node ({string.Join(", ", relax.Affinity(g).Concat(relax.AntiAffinity(g)).Where(t => t.IsHostname).Select(t => t.Describe()))})";
            return null;
        }

        claim.Types = types;
        return claim;
    }

    /// <summary>
    /// For the per-group packing: the one type among <paramref name="fitting"/> that holds the chunk's
    /// <paramref name="pods"/> pods on the fewest dollars of whole nodes (name breaks ties), at most as many per node
    /// as the group's hostname rules allow.
    /// </summary>
    private List<int> OwnCheapest(PoolTemplate pool, PodGroup g, Relaxation relax, RequirementSet reqs, List<int> fitting, int pods)
    {
        var probe = new ClaimTarget { Id = -1, Pool = pool, Requirements = reqs, Types = [] };
        var cap = HostCap(probe, g, relax, pods);
        if (cap <= 0 || fitting.Count <= 1)
        {
            return fitting;
        }

        var prices = _m.Index.Prices(reqs);
        var best = -1;
        var bestCost = double.PositiveInfinity;
        foreach (var t in fitting)
        {
            var perNode = Math.Min(cap, pool.Room[t].HowManyFit(g.Requests));
            var cost = perNode > 0 ? Math.Ceiling(pods / (double)perNode) * prices[t] : double.PositiveInfinity;
            if (cost < bestCost - 1e-12 || (best >= 0 && Math.Abs(cost - bestCost) <= 1e-12 &&
                string.CompareOrdinal(_m.Index.Types[t].Name, _m.Index.Types[best].Name) < 0))
            {
                (best, bestCost) = (t, cost);
            }
        }

        return best < 0 ? fitting : [best];
    }

    /// <summary>The types a new claim plans with, per the packing strategy. At finalize the options are broadened again.</summary>
    private List<int> ChooseTypes(PoolTemplate pool, RequirementSet reqs, List<int> fitting, Dictionary<string, int>? minValues)
    {
        if (_strategy is PackingStrategy.FillLargest or PackingStrategy.MarginalCost || minValues is not null || fitting.Count <= 1)
        {
            return fitting;
        }

        // The type that carries the mix of all pods still pending most cheaply (price per share of that
        // mix), as the LP relaxation would pick; interleaved rounds then fill it with that mix.
        var prices = _m.Index.Prices(reqs);
        var demand = PendingDemand(pool, reqs);
        var (best, bestCost) = MixCost(pool, prices, fitting, demand);
        return best < 0 ? fitting : [best];
    }

    /// <summary>The type among <paramref name="types"/> that carries the pending mix most cheaply, and its price per share of that mix.</summary>
    private static (int Type, double Cost) MixCost(PoolTemplate pool, double[] prices, List<int> types, (double Cpu, double Memory) demand)
    {
        var best = -1;
        var bestCost = double.PositiveInfinity;
        foreach (var t in types)
        {
            var room = pool.Room[t];
            var share = Math.Min(demand.Cpu > 0 ? room.MilliCpu / demand.Cpu : double.PositiveInfinity, demand.Memory > 0 ? room.Memory / demand.Memory : double.PositiveInfinity);
            var cost = share > 0 && double.IsFinite(share) ? prices[t] / share : double.PositiveInfinity;
            if (cost < bestCost - 1e-15)
            {
                (best, bestCost) = (t, cost);
            }
        }

        return (best, bestCost);
    }

    /// <summary>CPU (millicores) and memory (bytes) requested by the pods not placed yet.</summary>
    private (double Cpu, double Memory) PendingDemand(PoolTemplate pool, RequirementSet reqs)
    {
        // Only pods that may run on this claim: a tainted pool's pods, or arm64 pods for an amd64 claim,
        // say nothing of the mix the claim will carry.
        double cpu = 0, memory = 0;
        var compatible = CompatibleGroups(reqs);
        if (_phase is null)
        {
            (cpu, memory) = _openDemand[pool.Index];
        }

        foreach (var g in _phase ?? _selective)
        {
            var left = g.Count - _placed[g.Index];
            if (left > 0 && UsesPool(g, pool) && compatible[g.Index])
            {
                cpu += (double)left * g.Requests.MilliCpu;
                memory += (double)left * g.Requests.Memory;
            }
        }

        return (cpu, memory);
    }

    /// <summary>
    /// Per group, whether its pods are at home on nodes of <paramref name="reqs"/> in <paramref name="pool"/>: their
    /// cheapest cost per pod there is within <see cref="HomeTolerance"/> of the cheapest on the pool's nodes their
    /// own node selection allows (in the claim's zone when their own zone spread pins them to it). Cached per
    /// pool and requirement set; a claim keeps its answer (<see cref="ClaimTarget.AtHome"/>) until its
    /// requirements change, since the rounds ask it for every claim a group scans.
    /// </summary>
    private bool[] AtHome(PoolTemplate pool, RequirementSet reqs)
    {
        if (_atHome.TryGetValue((pool.Index, reqs), out var home))
        {
            return home;
        }

        home = new bool[_m.Groups.Count];
        var zone = reqs[WellKnownLabels.Zone];
        foreach (var h in _m.Groups)
        {
            var here = double.PositiveInfinity;
            var own = double.PositiveInfinity;
            foreach (var term in h.RequiredTerms.Count > 0 ? h.RequiredTerms : [RequirementSet.Empty])
            {
                if (Compatible(pool.Requirements, term) is not null)
                {
                    continue;
                }

                var alone = pool.Requirements.Add(term);
                own = Math.Min(own, PerPodCost(pool, zone is not null && IsZonePinned(h) ? alone.Add(zone) : alone, h));
                if (Compatible(reqs, term) is null)
                {
                    here = Math.Min(here, PerPodCost(pool, reqs.Add(term), h));
                }
            }

            home[h.Index] = double.IsFinite(here) && here <= (own * (1 + HomeTolerance)) + 1e-12;
        }

        _atHome[(pool.Index, reqs)] = home;
        return home;
    }

    /// <summary>The cheapest price per pod of the group on a node of its own under <paramref name="reqs"/> (infinity when none holds one).</summary>
    private double PerPodCost(PoolTemplate pool, RequirementSet reqs, PodGroup h)
    {
        if (_perPodCost.TryGetValue((pool.Index, reqs, h.Index), out var cached))
        {
            return cached;
        }

        var prices = _m.Index.Prices(reqs);
        var best = double.PositiveInfinity;
        foreach (var t in pool.Types.And(_m.Index.For(reqs)).Indices())
        {
            var fit = pool.Room[t].HowManyFit(h.Requests);
            if (fit > 0 && prices[t] / fit < best)
            {
                best = prices[t] / fit;
            }
        }

        _perPodCost[(pool.Index, reqs, h.Index)] = best;
        return best;
    }

    /// <summary>True when every required term of the group restricts something (an empty term allows any node).</summary>
    private static bool HasNodeSelection(PodGroup g) => g.RequiredTerms.Count > 0 && g.RequiredTerms.TrueForAll(t => t.Count > 0);

    private void AddOpenDemand(PodGroup g, int pods)
    {
        if (HasNodeSelection(g))
        {
            return;
        }

        foreach (var pool in _m.Pools)
        {
            if (UsesPool(g, pool))
            {
                ref var d = ref _openDemand[pool.Index];
                d = (d.Cpu + ((double)pods * g.Requests.MilliCpu), d.Memory + ((double)pods * g.Requests.Memory));
            }
        }
    }

    /// <summary>Per group, whether some required term of it is compatible with <paramref name="reqs"/>; cached per requirement set.</summary>
    private bool[] CompatibleGroups(RequirementSet reqs)
    {
        if (_compatibleGroups.TryGetValue(reqs, out var cached))
        {
            return cached;
        }

        var result = new bool[_m.Groups.Count];
        foreach (var g in _m.Groups)
        {
            result[g.Index] = g.RequiredTerms.Count == 0 || g.RequiredTerms.Exists(t => reqs.Compatible(t, _m.WellKnown) is null);
        }

        _compatibleGroups[reqs] = result;
        return result;
    }

    private bool UsesPool(PodGroup g, PoolTemplate pool)
    {
        _usesPool ??= new bool?[_m.Groups.Count * _m.Pools.Count];
        ref var known = ref _usesPool[(g.Index * _m.Pools.Count) + pool.Index];
        known ??= g.InvalidReason is null &&
            Taints.FirstUntolerated(pool.Taints, g.Tolerations, strictPreferNoSchedule: false) is null &&
            (g.RequiredTerms.Count == 0 || g.RequiredTerms.Exists(t => pool.Requirements.Compatible(t, _m.WellKnown) is null));
        return known.Value;
    }

    private long MinValuesCap(PoolTemplate pool, int[] types, ResourceVector used, ResourceVector req, Dictionary<string, int> minValues)
    {
        var cap = long.MaxValue;
        foreach (var (key, mv) in minValues)
        {
            // The k-th best type count such that types fitting k pods still span mv values.
            var byCount = types.Select(t => (ResourceVector.HowManyFit(pool.Room[t], used, req), _m.Index.Types[t].Labels.GetValueOrDefault(key)))
                .OrderByDescending(x => x.Item1).ToList();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var reached = 0L;
            foreach (var (n, v) in byCount)
            {
                if (v is not null && seen.Add(v) && seen.Count == mv)
                {
                    reached = n;
                    break;
                }
            }

            cap = Math.Min(cap, reached);
        }

        return cap;
    }

    private void Commit(Target t, PodGroup g, Relaxation relax, int k)
    {
        t.Used += g.Requests * k;
        var start = _placed[g.Index];
        for (var i = 0; i < k; i++)
        {
            t.NewPods.Add(g.PodKeys[start + i]);
        }

        _placed[g.Index] += k;
        AddOpenDemand(g, -k);
        t.Ports.AddRange(g.HostPorts);
        foreach (var tg in g.CountedBy)
        {
            if (tg.IsHostname)
            {
                t.AddHostCount(tg.Id, k);
                _topology.Add(tg, null, k);
            }
            else if (t.Domain(tg.Key) is { } domain)
            {
                _topology.Add(tg, domain, k);
            }
            else if (tg.Kind == TopologyKind.AntiAffinity && t is ClaimTarget open)
            {
                // The zone is not decided yet: the pods count in every zone the claim could still land in.
                foreach (var d in _m.Domains(tg.Key).Where(x => open.Requirements[tg.Key]?.Has(x) ?? true))
                {
                    _topology.Add(tg, d, k);
                }
            }
            else
            {
                _topology.Add(tg, null, k);
            }
        }

        foreach (var tg in View(g, relax).AntiOwned)
        {
            if (tg.IsHostname)
            {
                t.AntiOwners.Add(tg.Id);
            }
            else if (t.Domain(tg.Key) is { } d)
            {
                _topology.AddOwner(tg, d);
            }
            else if (t is ClaimTarget c)
            {
                // Undecided domain: block every domain it could still land in.
                foreach (var dom in _m.Domains(tg.Key).Where(x => c.Requirements[tg.Key]?.Has(x) ?? true))
                {
                    _topology.AddOwner(tg, dom);
                }
            }
        }
    }

    private void CommitClaim(ClaimTarget claim, PodGroup g, Relaxation relax, int k, int[] types)
    {
        Commit(claim, g, relax, k);
        claim.GroupPods[g] = claim.GroupPods.GetValueOrDefault(g) + k;
        var used = claim.Used;
        var keep = types.Where(t => used.FitsIn(claim.Pool.Room[t])).ToArray();
        claim.Types = keep;
        // Fixed resources only: MaxRoom is a quick reject, the exact check follows.
        long cpu = long.MinValue, mem = long.MinValue, pods = long.MinValue, eph = long.MinValue;
        var cheapest = -1;
        var prices = PricesAt(claim.Requirements);
        foreach (var t in keep)
        {
            var room = claim.Pool.Room[t];
            cpu = Math.Max(cpu, room.MilliCpu - used.MilliCpu);
            mem = Math.Max(mem, room.Memory - used.Memory);
            pods = Math.Max(pods, room.Pods - used.Pods);
            eph = Math.Max(eph, room.EphemeralStorage - used.EphemeralStorage);
            if (cheapest < 0 || prices[t] < prices[cheapest])
            {
                cheapest = t;
            }
        }

        claim.MaxRoom = new ResourceVector(cpu, mem, pods, eph);
        var charged = cheapest;
        if (_strategy == PackingStrategy.MixTarget && claim.Pool.Limits.Count > 0)
        {
            // A claim aimed at a large type is charged only what it would launch now, so half-filled
            // claims do not use up the NodePool's limits; growing it is checked against them again.
            var remaining = RemainingLimits(claim.Pool)!;
            foreach (var (name, _) in claim.Pool.Limits)
            {
                remaining[name] += claim.Reserved.Get(name);
            }

            // The cheapest type, at the claim's own prices, that holds the pods within limits. When the claim
            // is priced as its pool is (no zone or capacity type narrowed), the pool's price order ends the walk early.
            var allowed = _m.Index.For(claim.Requirements);
            var samePrices = Equals(claim.Requirements[WellKnownLabels.Zone], claim.Pool.Requirements[WellKnownLabels.Zone]) &&
                Equals(claim.Requirements[WellKnownLabels.CapacityType], claim.Pool.Requirements[WellKnownLabels.CapacityType]);
            var within = -1;
            foreach (var t in claim.Pool.TypesByPrice)
            {
                if ((within < 0 || prices[t] < prices[within]) && allowed.Contains(t) && used.FitsIn(claim.Pool.Room[t]) &&
                    WithinLimits(_m.Index.Capacity[t], remaining))
                {
                    within = t;
                    if (samePrices)
                    {
                        break;
                    }
                }
            }

            charged = within >= 0 ? within : cheapest;
        }

        if (cheapest >= 0)
        {
            claim.LaunchType = cheapest;
            claim.LaunchPrice = prices[cheapest];
            claim.LaunchRoom = claim.Pool.Room[cheapest] - used;
        }

        if (claim.Pool.Limits.Count > 0 && charged >= 0)
        {
            // Limits count what the claim will launch: its cheapest fitting type (finalize keeps options within it).
            var reserved = _m.Index.Capacity[charged];
            _reserved[claim.Pool.Index] = _reserved[claim.Pool.Index] - claim.Reserved + reserved;
            claim.Reserved = reserved;
        }
    }

    /// <summary>
    /// Offering prices per type under <paramref name="reqs"/>. Requirement sets come from the merge cache, so the
    /// same instances recur: a lookup by reference is cheaper than the catalog's by zone and capacity type.
    /// </summary>
    private double[] PricesAt(RequirementSet reqs)
    {
        if (!_pricesByReqs.TryGetValue(reqs, out var prices))
        {
            prices = _m.Index.Prices(reqs);
            _pricesByReqs[reqs] = prices;
        }

        return prices;
    }

    private Dictionary<string, long>? RemainingLimits(PoolTemplate pool)
    {
        if (pool.Limits.Count == 0)
        {
            return null;
        }

        var remaining = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, lim) in pool.Limits)
        {
            remaining[name] = lim - pool.InUse.Get(name) - _reserved[pool.Index].Get(name);
        }

        return remaining;
    }

    private static bool WithinLimits(ResourceVector capacity, Dictionary<string, long>? remaining)
    {
        if (remaining is null)
        {
            return true;
        }

        foreach (var (name, left) in remaining)
        {
            if (capacity.Get(name) > left)
            {
                return false;
            }
        }

        return true;
    }

    private static string DescribeLimits(PoolTemplate pool, Dictionary<string, long>? remaining) =>
        string.Join(", ", pool.Limits.Select(l =>
        {
            var left = remaining?.GetValueOrDefault(l.Name) ?? l.Limit;
            var fmt = l.Name is ResourceNames.Memory or ResourceNames.EphemeralStorage ? (Func<long, string>)ResourceVector.FormatBytes :
                l.Name == ResourceNames.Pods ? (v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)) : ResourceVector.FormatMilli;
            return $"{l.Name}: limit {fmt(l.Limit)}, remaining {fmt(Math.Max(0, left))}";
        }));

    private static string Summarize(RequirementSet reqs) =>
        string.Join(", ", reqs.Where(r => r.Key != WellKnownLabels.NodePool).Select(r => r.ToString()));
}
