namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>
/// Solves the reduced LP by generating its columns: GLOP solves a restricted LP over a pool of (group, shape)
/// pairs, and each round prices what is missing against that LP's duals.
/// </summary>
/// <remarks>
/// <para>
/// Each round: every shape is priced (the most one node of it can carry at the demand duals, see
/// <see cref="ShapePricing"/>), which both certifies a bound and names the shapes worth more than their
/// price; the best few such shapes outside the LP, and every such shape inside it, bring the pairs of their
/// best pod mix; pairs missing from shapes already in the LP are priced with the LP's own resource-row duals
/// and the best few per group join. Pairs that carry no pods for a while leave, keeping the LP near the size
/// of its optimal support: MPSolver solves GLOP from scratch after any change, so a small model is what
/// keeps rounds cheap.
/// </para>
/// <para>
/// Cap rows (y ≤ m·x) are most of the rows yet rarely bind at the optimum, so they join lazily, once a
/// solution breaks them, and stay. The run stops when the certified bound meets the restricted LP's
/// objective and no cap is broken: that LP is then optimal for the whole problem.
/// </para>
/// </remarks>
internal sealed class ColumnGeneration
{
    // A column enters when it improves the LP by more than this relative amount.
    private const double AddTolerance = 1e-7;

    // Stop when the certified bound is within this relative distance of the restricted LP's objective.
    private const double GapTolerance = 1e-6;

    // When nothing more prices out, the gap left can only be tolerance; beyond this, call the run not optimal.
    private const double StallTolerance = 1e-4;

    private readonly ReducedProblem _problem;
    private readonly LowerBoundOptions _options;
    private readonly ColumnPool _pool;
    private readonly ShapePricing _pricing;
    private readonly double[] _duals;
    private readonly double[] _rowDuals;
    private readonly List<Mix> _mixes = [];
    private readonly List<(int Shape, int Index, double Gain)> _pairs = [];
    private readonly int[] _perGroup;
    private readonly bool[] _free;
    private readonly double[] _pricingDuals;

    public ColumnGeneration(ReducedProblem problem, LowerBoundOptions options)
    {
        _problem = problem;
        _options = options;
        _pool = new ColumnPool(problem);
        _pricing = new ShapePricing(problem);
        _duals = new double[problem.GroupCount];
        _rowDuals = new double[problem.ShapeRows.Max(r => r.Length)];
        _perGroup = new int[problem.GroupCount];
        _pricingDuals = new double[problem.GroupCount];

        // A group usable on a shape that costs nothing has dual 0 in every dual feasible solution.
        _free = new bool[problem.GroupCount];
        for (var s = 0; s < problem.ShapeCount; s++)
        {
            if (problem.Price[s] == 0)
            {
                foreach (var g in problem.ShapeGroups[s])
                {
                    _free[g] = true;
                }
            }
        }
    }

    /// <summary>Runs to optimality or the round limit; null when GLOP cannot be loaded or fails on the first LP.</summary>
    public Outcome? Run()
    {
        Outcome? outcome = null;
        var certified = 0.0;
        for (var round = 1; round <= _options.MaxRounds; round++)
        {
            using var lp = RestrictedLp.TryCreate(_problem, _pool);
            if (lp is null || !lp.Solve())
            {
                return outcome;
            }

            lp.ReadDemandDuals(_duals);
            var nodes = new double[_problem.ShapeCount];
            lp.ReadNodes(nodes);
            certified = Math.Max(certified, PriceAllShapes());
            var broken = CapBrokenPairs(lp);
            var optimal = broken == 0 && certified >= lp.Objective * (1 - GapTolerance);
            outcome = new Outcome(certified, nodes, lp.ShapeCount, _pool.Count, round, optimal, ReadPlacements(lp));
            if (optimal)
            {
                return outcome;
            }

            CollectPairsOfLpShapes(lp);
            _pool.Age((s, k) => lp.Pods(s, k) > 0, _options.MaxIdleRounds);
            var added = AddCollectedPairs() + AddPairsOfMixes(lp);
            if (added + broken == 0)
            {
                // Nothing prices out and no cap is broken: the restricted LP is optimal up to GLOP's tolerances.
                return outcome with { Optimal = certified >= lp.Objective * (1 - StallTolerance) };
            }
        }

        return outcome;
    }

    /// <summary>
    /// Prices every shape at the current duals, keeps the best pod mix of each shape worth more than its
    /// price, and returns the bound the duals certify: scaled down by the largest value/price ratio they are
    /// dual feasible, so Σ_g dual_g·Count_g / ratio is a lower bound by weak duality. Groups a free shape can
    /// take price at zero first; that keeps the duals feasible for the free shapes and only lowers the others.
    /// </summary>
    private double PriceAllShapes()
    {
        for (var g = 0; g < _duals.Length; g++)
        {
            _pricingDuals[g] = _free[g] ? 0 : _duals[g];
        }

        _mixes.Clear();
        var scale = 1.0;
        for (var s = 0; s < _problem.ShapeCount; s++)
        {
            var price = _problem.Price[s];
            if (price == 0)
            {
                // Its groups price at zero, so it can carry nothing worth more than it costs.
                continue;
            }

            var threshold = price * (1 + AddTolerance);
            var value = _pricing.Price(s, _pricingDuals, threshold, out var upper);
            scale = Math.Max(scale, upper / price);
            if (value > threshold)
            {
                _mixes.Add(new Mix(s, _pricing.LastMixGroups(), value / price));
            }
        }

        var dualObjective = 0.0;
        for (var g = 0; g < _problem.GroupCount; g++)
        {
            dualObjective += _pricingDuals[g] * _problem.Demand[g];
        }

        return dualObjective / scale;
    }

    // Groups without cap rows yet whose solution puts more pods on a node than their cap; from now on all their pairs get cap rows.
    private int CapBrokenPairs(RestrictedLp lp)
    {
        var broken = 0;
        foreach (var (s, k) in _pool.Pairs)
        {
            var g = _problem.ShapeGroups[s][k];
            if (_problem.CapRows[s][k] && !_pool.IsCapped(g)
                && lp.Pods(s, k) > (_problem.Cap[g] * lp.NodeVariable(s) * (1 + 1e-9)) + 1e-9)
            {
                _pool.Cap(g);
                broken++;
            }
        }

        return broken;
    }

    /// <summary>
    /// Pairs missing from shapes in the LP, priced with its resource-row duals d ≤ 0: y_gs has reduced cost
    /// −π_g − Σ_r d_r·a_gr (its cap row, if any, would start at dual 0).
    /// </summary>
    private void CollectPairsOfLpShapes(RestrictedLp lp)
    {
        _pairs.Clear();
        for (var s = 0; s < _problem.ShapeCount; s++)
        {
            if (!lp.HasShape(s))
            {
                continue;
            }

            lp.ReadRowDuals(s, _rowDuals);
            var groups = _problem.ShapeGroups[s];
            var rows = _problem.ShapeRows[s].Length;
            var coefficients = _problem.Coefficients[s];
            for (var k = 0; k < groups.Length; k++)
            {
                var pi = _duals[groups[k]];
                if (pi <= 0 || lp.HasPair(s, k))
                {
                    continue;
                }

                var net = pi;
                for (var j = 0; j < rows; j++)
                {
                    net += _rowDuals[j] * coefficients[(k * rows) + j];
                }

                if (net > AddTolerance * pi)
                {
                    _pairs.Add((s, k, -net / pi));
                }
            }
        }

    }

    // The best few collected pairs per group join: every column makes the next GLOP solve bigger.
    private int AddCollectedPairs()
    {
        _pairs.Sort((a, b) => a.Gain != b.Gain ? a.Gain.CompareTo(b.Gain) : a.Shape != b.Shape ? a.Shape.CompareTo(b.Shape) : a.Index.CompareTo(b.Index));
        Array.Clear(_perGroup);
        var added = 0;
        foreach (var (s, k, _) in _pairs)
        {
            if (_perGroup[_problem.ShapeGroups[s][k]]++ < _options.PairsPerGroup && _pool.Add(s, k))
            {
                added++;
            }
        }

        return added;
    }

    // Shapes worth more than their price bring the pairs of their best pod mix: all such shapes in the LP, the best few outside.
    private int AddPairsOfMixes(RestrictedLp lp)
    {
        _mixes.Sort((a, b) => b.Ratio != a.Ratio ? b.Ratio.CompareTo(a.Ratio) : a.Shape.CompareTo(b.Shape));
        var newShapes = 0;
        var added = 0;
        foreach (var mix in _mixes)
        {
            if (!lp.HasShape(mix.Shape) && newShapes++ >= _options.ShapesPerRound)
            {
                continue;
            }

            foreach (var g in mix.Groups)
            {
                if (_pool.Add(mix.Shape, Array.BinarySearch(_problem.ShapeGroups[mix.Shape], g)))
                {
                    added++;
                }
            }
        }

        return added;
    }

    /// <summary>The restricted LP's solution as patterns: per shape, its fractional nodes and the pods of each group on them.</summary>
    private List<LpPattern> ReadPlacements(RestrictedLp lp)
    {
        var byShape = new SortedDictionary<int, List<(int Group, double Pods)>>();
        foreach (var (s, k) in _pool.Pairs)
        {
            var y = lp.Pods(s, k);
            if (y > 1e-9)
            {
                if (!byShape.TryGetValue(s, out var list))
                {
                    byShape[s] = list = [];
                }

                list.Add((_problem.ShapeGroups[s][k], y));
            }
        }

        var patterns = new List<LpPattern>();
        foreach (var (s, pods) in byShape)
        {
            var x = lp.NodeVariable(s);
            if (x > 1e-9)
            {
                patterns.Add(new LpPattern(s, x, pods));
            }
        }

        // Pods the LP keeps on nodes of their own group (u_g) are a pattern of their own.
        for (var g = 0; g < _problem.GroupCount; g++)
        {
            var u = lp.Alone(g);
            if (u > 1e-9)
            {
                patterns.Add(new LpPattern(_problem.AloneShape[g], u / _problem.AloneBound[g], [(g, u)]));
            }
        }

        return patterns;
    }

    /// <summary>What a run ends with; <see cref="Nodes"/> are per reduced shape.</summary>
    public sealed record Outcome(double Certified, double[] Nodes, int ShapesInLp, int PairsInLp, int Rounds, bool Optimal, IReadOnlyList<LpPattern> Patterns);

    /// <summary><see cref="Nodes"/> fractional nodes of reduced shape <see cref="Shape"/> carrying the given pods per reduced group.</summary>
    public sealed record LpPattern(int Shape, double Nodes, IReadOnlyList<(int Group, double Pods)> Pods);

    private sealed record Mix(int Shape, int[] Groups, double Ratio);
}
