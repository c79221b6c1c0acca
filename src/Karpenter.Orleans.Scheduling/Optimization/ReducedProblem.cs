using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>
/// The lower-bound LP after reductions that keep its optimum: excluded groups dropped, uncapped twins merged,
/// caps that resources already imply dropped, and dominated shapes removed. Dense arrays, indexed by the
/// reduced group and shape numbers; resource rows are normalised by the shape's room so coefficients are
/// "fraction of one node per pod" in (0, 1] whatever the unit (millicores, bytes, pods).
/// </summary>
internal sealed class ReducedProblem
{
    private ReducedProblem(
        int groupCount, int resourceCount, double[] demand, double[] cap, int[] shapeOriginal, double[] price,
        int[][] shapeGroups, int[][] shapeRows, double[][] coefficients, double[][] bounds, bool[][] capRows, int[][] members)
    {
        GroupMembers = members;
        GroupCount = groupCount;
        ResourceCount = resourceCount;
        Demand = demand;
        Cap = cap;
        ShapeOriginal = shapeOriginal;
        Price = price;
        ShapeGroups = shapeGroups;
        ShapeRows = shapeRows;
        Coefficients = coefficients;
        Bounds = bounds;
        CapRows = capRows;

        // Each group's cheapest shape for nodes of its own: a plan the LP allows, used as a feasible start.
        AloneShape = new int[groupCount];
        AloneBound = new double[groupCount];
        AloneCostPerPod = new double[groupCount];
        Array.Fill(AloneCostPerPod, double.PositiveInfinity);
        for (var s = 0; s < price.Length; s++)
        {
            for (var k = 0; k < shapeGroups[s].Length; k++)
            {
                var g = shapeGroups[s][k];
                var cost = price[s] / bounds[s][k];
                if (cost < AloneCostPerPod[g])
                {
                    AloneCostPerPod[g] = cost;
                    AloneShape[g] = s;
                    AloneBound[g] = bounds[s][k];
                }
            }
        }
    }

    public int GroupCount { get; }

    /// <summary>Per reduced group, the problem's groups it stands for (several when identical twins were merged).</summary>
    public int[][] GroupMembers { get; }

    /// <summary>Resources in the model (cpu, memory, pods, ephemeral storage, then requested extended ones).</summary>
    public int ResourceCount { get; }

    /// <summary>Pods to place per group.</summary>
    public double[] Demand { get; }

    /// <summary>Pods of the group one node may hold, or +∞.</summary>
    public double[] Cap { get; }

    public int ShapeCount => Price.Length;

    /// <summary>Index of each reduced shape in the problem's shape list.</summary>
    public int[] ShapeOriginal { get; }

    public double[] Price { get; }

    /// <summary>Groups usable on each shape (compatible and at least one pod fits), ascending.</summary>
    public int[][] ShapeGroups { get; }

    /// <summary>Resource indices of each shape's rows (resources some usable group requests).</summary>
    public int[][] ShapeRows { get; }

    /// <summary>Per shape, row-major by usable group: Request[r] / Room[r] for each of the shape's rows.</summary>
    public double[][] Coefficients { get; }

    /// <summary>Per shape and usable group: most pods one node can hold, min(cap, fractional fit).</summary>
    public double[][] Bounds { get; }

    /// <summary>Per shape and usable group: whether the cap row y ≤ m·x is needed (resources do not already imply it).</summary>
    public bool[][] CapRows { get; }

    /// <summary>Per group, the shape where its pods alone cost least per pod.</summary>
    public int[] AloneShape { get; }

    /// <summary>Per group, how many of its pods one node of <see cref="AloneShape"/> holds.</summary>
    public double[] AloneBound { get; }

    /// <summary>Per group, its cost per pod on nodes of <see cref="AloneShape"/> holding nothing else.</summary>
    public double[] AloneCostPerPod { get; }

    public static ReducedProblem Build(LowerBoundProblem problem, LowerBoundOptions options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var shapes = problem.Shapes;
        for (var s = 0; s < shapes.Count; s++)
        {
            var p = shapes[s].PricePerHour;
            if (!(p >= 0) || double.IsPositiveInfinity(p))
            {
                throw new ArgumentException($"shape {s} ('{shapes[s].Name}') has price {p}; prices must be finite and non-negative", nameof(problem));
            }
        }

        var candidates = CollectGroups(problem);
        var resources = ResourceList(candidates);
        var merged = options.MergeGroups ? Merge(candidates) : candidates;

        var g = merged.Count;
        var r = resources.Count;
        var request = new double[g * r];
        var demand = new double[g];
        var cap = new double[g];
        for (var i = 0; i < g; i++)
        {
            demand[i] = merged[i].Count;
            cap[i] = merged[i].Cap;
            for (var k = 0; k < r; k++)
            {
                request[(i * r) + k] = merged[i].Request.Get(resources[k]);
            }
        }

        var room = new double[shapes.Count * r];
        for (var s = 0; s < shapes.Count; s++)
        {
            for (var k = 0; k < r; k++)
            {
                room[(s * r) + k] = shapes[s].Room.Get(resources[k]);
            }
        }

        var groupsOf = new List<int>?[shapes.Count];
        for (var i = 0; i < g; i++)
        {
            foreach (var s in merged[i].Usable)
            {
                (groupsOf[s] ??= []).Add(i);
            }
        }

        var all = new List<ShapeData>();
        for (var s = 0; s < shapes.Count; s++)
        {
            if (groupsOf[s] is { } list)
            {
                all.Add(ShapeData.Create(s, shapes[s].PricePerHour, [.. list], request, room, cap, r));
            }
        }

        var kept = options.PruneDominatedShapes ? Prune(all, g, request, r) : all;
        return new ReducedProblem(
            g, r, demand, cap,
            [.. kept.Select(d => d.Original)],
            [.. kept.Select(d => d.Price)],
            [.. kept.Select(d => d.Groups)],
            [.. kept.Select(d => d.Rows)],
            [.. kept.Select(d => d.Coefficients)],
            [.. kept.Select(d => d.Bounds)],
            [.. kept.Select(d => d.CapRows)],
            [.. merged.Select(m => m.Members)]);
    }

    // Groups that can take part: some pods, a positive cap, something requested or capped, a shape that holds one pod.
    private static List<CandidateGroup> CollectGroups(LowerBoundProblem problem)
    {
        var shapes = problem.Shapes;
        var rooms = new ResourceVector[shapes.Count];
        for (var s = 0; s < rooms.Length; s++)
        {
            rooms[s] = shapes[s].Room;
        }

        var seen = new int[shapes.Count];
        var usable = new List<int>();
        var result = new List<CandidateGroup>();
        for (var gi = 0; gi < problem.Groups.Count; gi++)
        {
            var group = problem.Groups[gi];
            foreach (var s in group.CompatibleShapes)
            {
                if ((uint)s >= (uint)shapes.Count)
                {
                    throw new ArgumentException($"group {gi} names shape {s}, but there are {shapes.Count} shapes", nameof(problem));
                }
            }

            if (group.Count <= 0 || group.MaxPerNode is <= 0 || (group.Request.IsZero && group.MaxPerNode is null))
            {
                continue;
            }

            usable.Clear();
            var request = group.Request;
            foreach (var s in group.CompatibleShapes)
            {
                if (seen[s] != gi + 1)
                {
                    seen[s] = gi + 1;
                    if (request.FitsIn(rooms[s]))
                    {
                        usable.Add(s);
                    }
                }
            }

            if (usable.Count == 0)
            {
                continue;
            }

            usable.Sort();

            // A cap no usable shape can reach is implied by the resource rows: treat the group as uncapped.
            var cap = double.PositiveInfinity;
            if (group.MaxPerNode is { } m && usable.Exists(s => FitsMoreThan(request, rooms[s], m)))
            {
                cap = m;
            }

            result.Add(new CandidateGroup(group.Count, request, [.. usable], cap, [gi]));
        }

        return result;
    }

    // True when more than m pods fit fractionally, i.e. the cap m is tighter than every resource.
    private static bool FitsMoreThan(ResourceVector request, ResourceVector room, long m)
    {
        return Beyond(request.MilliCpu, room.MilliCpu)
            && Beyond(request.Memory, room.Memory)
            && Beyond(request.Pods, room.Pods)
            && Beyond(request.EphemeralStorage, room.EphemeralStorage)
            && (request.Extended is null || request.Extended.All(p => Beyond(p.Value, room.Get(p.Key))));

        bool Beyond(long need, long have) => need <= 0 || (double)m * need < have;
    }

    private static List<string> ResourceList(List<CandidateGroup> groups)
    {
        var names = new List<string> { ResourceNames.Cpu, ResourceNames.Memory, ResourceNames.Pods, ResourceNames.EphemeralStorage };
        names.AddRange(groups
            .SelectMany(c => c.Request.Extended ?? Enumerable.Empty<KeyValuePair<string, long>>())
            .Where(p => p.Value > 0)
            .Select(p => p.Key)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal));
        return names;
    }

    // Uncapped groups with the same request and usable shapes are one group in the LP. Capped twins are not:
    // two groups with cap m may put m pods each on a node, so one merged group with cap m would overstate the bound.
    private static List<CandidateGroup> Merge(List<CandidateGroup> groups)
    {
        var result = new List<CandidateGroup>(groups.Count);
        var index = new Dictionary<CandidateGroup, int>(MergeKeyComparer.Instance);
        foreach (var c in groups)
        {
            if (!double.IsPositiveInfinity(c.Cap))
            {
                result.Add(c);
            }
            else if (index.TryGetValue(c, out var at))
            {
                result[at] = result[at] with { Count = result[at].Count + c.Count, Members = [.. result[at].Members, .. c.Members] };
            }
            else
            {
                index[c] = result.Count;
                result.Add(c);
            }
        }

        return result;
    }

    /// <summary>
    /// Keeps only shapes no kept shape dominates. t dominates s when every group usable on s is usable on t,
    /// t's price per unit of room is no higher in every resource those groups request, and, when a cap binds
    /// on t, t is cheap enough that λ·Price_t ≤ Price_s still holds for a λ that covers s's capped pods.
    /// Then any LP solution can move s's pods and λ·x_s nodes to t at no extra cost, so the optimum is unchanged.
    /// A shape is only ever dropped for a shape that stays, so ties (identical shapes) keep exactly one.
    /// </summary>
    private static List<ShapeData> Prune(List<ShapeData> all, int groupCount, double[] request, int resourceCount)
    {
        var words = (groupCount + 63) / 64;
        var usable = new ulong[all.Count * words];
        var binding = new ulong[all.Count * words];
        var key = new double[all.Count];

        // Typical request per resource, so the ordering sums prices in comparable units (dollars per pod).
        var scale = new double[resourceCount];
        for (var g = 0; g < groupCount; g++)
        {
            for (var k = 0; k < resourceCount; k++)
            {
                scale[k] = Math.Max(scale[k], request[(g * resourceCount) + k]);
            }
        }

        for (var i = 0; i < all.Count; i++)
        {
            var d = all[i];
            for (var k = 0; k < d.Groups.Length; k++)
            {
                var g = d.Groups[k];
                usable[(i * words) + (g >> 6)] |= 1UL << (g & 63);
                if (d.CapRows[k])
                {
                    binding[(i * words) + (g >> 6)] |= 1UL << (g & 63);
                }
            }

            foreach (var r in d.Rows)
            {
                key[i] += d.Price * scale[r] / d.Room[r];
            }
        }

        // Likely dominators first: more usable groups, then cheaper room; a dominated shape never sorts before its dominator.
        var order = Enumerable.Range(0, all.Count)
            .OrderByDescending(i => all[i].Groups.Length)
            .ThenBy(i => key[i])
            .ThenBy(i => all[i].Original)
            .ToArray();

        var kept = new List<int>();
        foreach (var s in order)
        {
            var dominated = false;
            foreach (var t in kept)
            {
                if (Dominates(all[t], all[s], usable.AsSpan(t * words, words), binding.AsSpan(t * words, words), usable.AsSpan(s * words, words)))
                {
                    dominated = true;
                    break;
                }
            }

            if (!dominated)
            {
                kept.Add(s);
            }
        }

        kept.Sort((a, b) => all[a].Original.CompareTo(all[b].Original));
        return [.. kept.Select(i => all[i])];
    }

    private static bool Dominates(ShapeData t, ShapeData s, ReadOnlySpan<ulong> usableT, ReadOnlySpan<ulong> bindingT, ReadOnlySpan<ulong> usableS)
    {
        if (t.Groups.Length < s.Groups.Length)
        {
            return false;
        }

        var capBinds = false;
        for (var w = 0; w < usableS.Length; w++)
        {
            if ((usableS[w] & ~usableT[w]) != 0)
            {
                return false;
            }

            capBinds |= (usableS[w] & bindingT[w]) != 0;
        }

        // Per-unit price comparison written as products: no division, and exact ties stay ties.
        foreach (var r in s.Rows)
        {
            if (t.Price * s.Room[r] > s.Price * t.Room[r])
            {
                return false;
            }
        }

        return !capBinds || s.CapShare * t.Price <= s.Price;
    }

    private sealed record CandidateGroup(long Count, ResourceVector Request, int[] Usable, double Cap, int[] Members);

    private sealed class MergeKeyComparer : IEqualityComparer<CandidateGroup>
    {
        public static readonly MergeKeyComparer Instance = new();

        public bool Equals(CandidateGroup? x, CandidateGroup? y) =>
            x is not null && y is not null && x.Request == y.Request && x.Usable.AsSpan().SequenceEqual(y.Usable);

        public int GetHashCode(CandidateGroup obj)
        {
            var h = new HashCode();
            h.Add(obj.Request);
            foreach (var s in obj.Usable)
            {
                h.Add(s);
            }

            return h.ToHashCode();
        }
    }

    /// <summary>One usable shape with its rows, coefficients and bounds precomputed.</summary>
    private sealed class ShapeData
    {
        public int Original { get; private init; }

        public double Price { get; private init; }

        public int[] Groups { get; private init; } = [];

        public int[] Rows { get; private init; } = [];

        /// <summary>Room per resource (all resources, not only rows).</summary>
        public double[] Room { get; private init; } = [];

        public double[] Coefficients { get; private init; } = [];

        public double[] Bounds { get; private init; } = [];

        public bool[] CapRows { get; private init; } = [];

        /// <summary>
        /// Smallest λ such that λ nodes of a dominating shape with binding caps take a capped group's pods
        /// from one node of this shape: max over capped groups of min(1, fit / cap).
        /// </summary>
        public double CapShare { get; private init; }

        public static ShapeData Create(int original, double price, int[] groups, double[] request, double[] roomAll, double[] cap, int resourceCount)
        {
            var room = roomAll.AsSpan(original * resourceCount, resourceCount).ToArray();
            var rows = new List<int>();
            for (var r = 0; r < resourceCount; r++)
            {
                if (groups.Any(g => request[(g * resourceCount) + r] > 0))
                {
                    rows.Add(r);
                }
            }

            var coefficients = new double[groups.Length * rows.Count];
            var bounds = new double[groups.Length];
            var capRows = new bool[groups.Length];
            var capShare = 0.0;
            for (var k = 0; k < groups.Length; k++)
            {
                var g = groups[k];
                var fit = double.PositiveInfinity;
                for (var j = 0; j < rows.Count; j++)
                {
                    var a = request[(g * resourceCount) + rows[j]] / room[rows[j]];
                    coefficients[(k * rows.Count) + j] = a;
                    if (a > 0)
                    {
                        fit = Math.Min(fit, 1 / a);
                    }
                }

                var m = cap[g];
                bounds[k] = Math.Min(m, fit);
                capRows[k] = m < fit;
                if (!double.IsPositiveInfinity(m))
                {
                    capShare = Math.Max(capShare, Math.Min(1, fit / m));
                }
            }

            return new ShapeData
            {
                Original = original,
                Price = price,
                Groups = groups,
                Rows = [.. rows],
                Room = room,
                Coefficients = coefficients,
                Bounds = bounds,
                CapRows = capRows,
                CapShare = capShare,
            };
        }
    }
}
