namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>
/// A lower bound on the hourly cost of any plan that places the pods of a <see cref="LowerBoundProblem"/>:
/// the optimum of the LP relaxation, solved with GLOP.
/// </summary>
/// <remarks>
/// <para>
/// The LP has x_s ≥ 0 (fractional nodes of shape s) and y_gs ≥ 0 (pods of group g on shape s, only where one
/// pod of g fits on s at all). It requires Σ_s y_gs = Count_g, for every shape and every requested resource
/// Σ_g Request_g·y_gs ≤ Room_s·x_s, and y_gs ≤ MaxPerNode_g·x_s for capped groups; it minimises Σ_s Price_s·x_s.
/// </para>
/// <para>
/// Groups that cannot be placed at all are excluded from the bound (they are unschedulable anyway, and no
/// plan pays for them): a group with no compatible shape, with a request no compatible shape can hold, or
/// with MaxPerNode ≤ 0. Groups with Count ≤ 0 and uncapped groups that request nothing cost nothing.
/// </para>
/// <para>
/// Before solving, the model is reduced without changing its optimum (uncapped twins merged, caps the
/// resources already imply dropped, dominated shapes removed) and solved by column generation over shapes:
/// the LP starts with each group's cheapest shape, and every round prices all shapes against the demand
/// duals (the best value one node of a shape can carry) and adds those worth more than their price.
/// </para>
/// <para>
/// The reported price is certified by weak duality rather than read off GLOP: the demand duals, scaled down
/// until no shape is worth more than its price, give a bound that holds whatever GLOP's tolerances did; at
/// the optimum it equals the LP objective. If GLOP is unavailable or does not reach an optimum, or pricing
/// runs out of rounds, the result is the best bound proved so far, and never below the weaker fallback:
/// the larger of, per resource, Σ_g Count_g·Request_g·min over usable shapes of Price/Room, and, per group,
/// Count_g times its cheapest cost per pod on a node of its own.
/// </para>
/// </remarks>
public static class LowerBoundSolver
{
    // A pattern enters the LP when one node of it is worth this much more than its price.
    private const double AddTolerance = 1e-7;

    // Stop when the certified bound is this close to the restricted LP's objective (relative).
    private const double GapTolerance = 1e-7;

    public static double TSolve;
    public static double TIter;
    public static double TPrice;

    public static LowerBoundResult Solve(LowerBoundProblem problem) => Solve(problem, LowerBoundOptions.Default, out _);

    internal static LowerBoundResult Solve(LowerBoundProblem problem, LowerBoundOptions options, out LowerBoundDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);

        var reduced = ReducedProblem.Build(problem, options);
        var counts = new double[problem.Shapes.Count];
        if (reduced.GroupCount == 0)
        {
            diagnostics = new LowerBoundDiagnostics(0, reduced.ShapeCount, 0, 0, 0, Optimal: true, UsedFallback: false);
            return new LowerBoundResult(0, counts);
        }

        var fallback = FallbackBound(reduced);
        var pool = new ColumnPool(reduced);
        if (Environment.GetEnvironmentVariable("TRACE") == "1")
        {
            var rd = ResourcePriceDuals(reduced);
            var pr = new ShapePricing(reduced);
            Console.WriteLine($"   resource-price bound {PriceAll(reduced, pr, rd, new List<Pattern>()):F6} fallback {fallback:F6}");
        }
        var pricing = new ShapePricing(reduced);
        var duals = new double[reduced.GroupCount];
        var rowDuals = new double[reduced.ShapeRows.Max(r => r.Length)];
        var nodes = new double[reduced.ShapeCount];
        var certified = 0.0;
        var rounds = 0;
        var converged = false;
        var solved = false;
        var shapesInLp = 0;
        var patterns = new List<Pattern>();
        var pairs = new List<(int Shape, int Index, double Gain)>();
        var perGroup = new int[reduced.GroupCount];
        while (!options.ForceFallback && rounds < options.MaxRounds)
        {
            rounds++;
            var swx = System.Diagnostics.Stopwatch.StartNew();
            using var lp = RestrictedLp.TryCreate(reduced, pool);
            var tb = swx.Elapsed.TotalMilliseconds;
            var okx = lp is not null && lp.Solve();
            TSolve += swx.Elapsed.TotalMilliseconds;
            if (Environment.GetEnvironmentVariable("TRACE") == "1") Console.WriteLine($"      build {tb:F1} solve {swx.Elapsed.TotalMilliseconds - tb:F1} shapes={lp?.ShapeCount} pairs={pool.Count}");
            if (lp is null || !okx)
            {
                break;
            }

            swx.Restart();
            solved = true;
            shapesInLp = lp.ShapeCount;
            lp.ReadDemandDuals(duals);
            lp.ReadNodes(nodes);

            var objective = lp.Objective;
            certified = Math.Max(certified, PriceAll(reduced, pricing, duals, patterns));

            // Cap rows join lazily: only where a solution put more pods of a capped group on a node than its cap.
            var violated = 0;
            foreach (var (s, k) in pool.Pairs)
            {
                if (reduced.CapRows[s][k] && !pool.IsCapped(s, k)
                    && lp.Pods(s, k) > (reduced.Cap[reduced.ShapeGroups[s][k]] * lp.NodeVariable(s) * (1 + 1e-9)) + 1e-9)
                {
                    pool.Cap(s, k);
                    violated++;
                }
            }

            if (Environment.GetEnvironmentVariable("TRACE") == "1") Console.WriteLine($"    r{rounds} obj={objective:F6} lb={certified:F6} gap={(objective - certified) / objective:E2} newshapes={patterns.Count} viol={violated}");
            if (violated == 0 && certified >= objective * (1 - GapTolerance))
            {
                converged = true;
                break;
            }

            // Pairs missing from shapes in the LP, priced with the LP's own row duals (read before any change):
            // y_gs costs −π_g − Σ_r d_r·a_gr, its cap row (if any) starting with dual 0.
            pairs.Clear();
            for (var s = 0; s < reduced.ShapeCount; s++)
            {
                if (!lp.HasShape(s))
                {
                    continue;
                }

                lp.ReadRowDuals(s, rowDuals);
                var groups = reduced.ShapeGroups[s];
                var rows = reduced.ShapeRows[s].Length;
                var coefficients = reduced.Coefficients[s];
                for (var k = 0; k < groups.Length; k++)
                {
                    var pi = duals[groups[k]];
                    if (pi <= 0 || lp.HasPair(s, k))
                    {
                        continue;
                    }

                    var net = pi;
                    for (var j = 0; j < rows; j++)
                    {
                        net += rowDuals[j] * coefficients[(k * rows) + j];
                    }

                    if (net > AddTolerance * pi)
                    {
                        pairs.Add((s, k, -net / pi));
                    }
                }
            }

            pool.Age((s, k) => lp.Pods(s, k) > 0, options.MaxIdleRounds);

            // Per group only its best few pairs: every column makes the next from-scratch GLOP solve bigger.
            var added = 0;
            pairs.Sort((a, b) => a.Gain != b.Gain ? a.Gain.CompareTo(b.Gain) : a.Shape != b.Shape ? a.Shape.CompareTo(b.Shape) : a.Index.CompareTo(b.Index));
            Array.Clear(perGroup);
            foreach (var (s, k, _) in pairs)
            {
                if (perGroup[reduced.ShapeGroups[s][k]]++ < options.PairsPerGroup && pool.Add(s, k))
                {
                    added++;
                }
            }

            // Shapes outside the LP worth more than their price at these duals bring the pairs of their best pod mix.
            patterns.Sort((a, b) => b.Ratio != a.Ratio ? b.Ratio.CompareTo(a.Ratio) : a.Shape.CompareTo(b.Shape));
            var newShapes = 0;
            foreach (var p in patterns)
            {
                if (lp.HasShape(p.Shape) ? !options.PatternsForLpShapes : newShapes++ >= options.ShapesPerRound)
                {
                    continue;
                }

                foreach (var g in p.Groups)
                {
                    if (pool.Add(p.Shape, Array.BinarySearch(reduced.ShapeGroups[p.Shape], g)))
                    {
                        added++;
                    }
                }
            }

            TPrice += swx.Elapsed.TotalMilliseconds;
            if (added == 0 && violated == 0)
            {
                // Nothing prices out: the restricted LP is optimal; the gap left is GLOP's tolerance.
                converged = true;
                break;
            }
        }

        for (var s = 0; s < reduced.ShapeCount; s++)
        {
            counts[reduced.ShapeOriginal[s]] = solved ? nodes[s] : 0;
        }

        diagnostics = new LowerBoundDiagnostics(
            reduced.GroupCount, reduced.ShapeCount, shapesInLp, pool.Count, rounds, converged, UsedFallback: !converged && fallback >= certified);
        return new LowerBoundResult(Math.Max(certified, fallback), counts);
    }

    /// <summary>
    /// Prices every shape at <paramref name="duals"/>, collects the pod mix of each shape worth more than its
    /// price, and returns the bound these duals certify: scaled down by the largest value/price ratio they
    /// are dual feasible, so Σ_g dual_g·Count_g / ratio is a lower bound by weak duality.
    /// </summary>
    private static double PriceAll(ReducedProblem reduced, ShapePricing pricing, double[] duals, List<Pattern> patterns)
    {
        patterns.Clear();
        var scale = 1.0;
        for (var s = 0; s < reduced.ShapeCount; s++)
        {
            var price = reduced.Price[s];
            var threshold = (price * (1 + AddTolerance)) + 1e-12;
            var value = pricing.Price(s, duals, threshold, out var upper);
            if (price > 0)
            {
                scale = Math.Max(scale, upper / price);
            }
            else if (upper > 1e-12)
            {
                scale = double.PositiveInfinity;
            }

            if (value > threshold)
            {
                patterns.Add(new Pattern(s, pricing.LastPatternGroups(), price > 0 ? value / price : double.PositiveInfinity));
            }
        }

        if (double.IsPositiveInfinity(scale))
        {
            return 0;
        }

        var dualObjective = 0.0;
        for (var g = 0; g < reduced.GroupCount; g++)
        {
            dualObjective += duals[g] * reduced.Demand[g];
        }

        return dualObjective / scale;
    }

    /// <summary>
    /// Demand duals from one price per unit of each resource: π_g = Σ_r Request_gr·ρ_r, with ρ the best prices
    /// under which no shape's room is worth more than the shape (a tiny LP). Such π are dual feasible for the
    /// whole problem, so they bound it and start column generation close to the optimum when caps are few.
    /// </summary>
    internal static double[] ResourcePriceDuals(ReducedProblem reduced)
    {
        var r = reduced.ResourceCount;
        var duals = new double[reduced.GroupCount];
        using var solver = Google.OrTools.LinearSolver.Solver.CreateSolver("GLOP");
        if (solver is null)
        {
            return duals;
        }

        // Prices per unit of the largest room, so coefficients are in (0, 1].
        var scale = new double[r];
        for (var s = 0; s < reduced.ShapeCount; s++)
        {
            for (var j = 0; j < r; j++)
            {
                scale[j] = Math.Max(scale[j], reduced.Room[(s * r) + j]);
            }
        }

        var rho = new Google.OrTools.LinearSolver.Variable[r];
        var objective = solver.Objective();
        objective.SetMaximization();
        for (var j = 0; j < r; j++)
        {
            rho[j] = solver.MakeNumVar(0, double.PositiveInfinity, string.Empty);
            var demand = 0.0;
            for (var g = 0; g < reduced.GroupCount; g++)
            {
                demand += reduced.Demand[g] * reduced.Request[(g * r) + j];
            }

            objective.SetCoefficient(rho[j], scale[j] > 0 ? demand / scale[j] : 0);
        }

        for (var s = 0; s < reduced.ShapeCount; s++)
        {
            var c = solver.MakeConstraint(double.NegativeInfinity, reduced.Price[s], string.Empty);
            foreach (var j in reduced.ShapeRows[s])
            {
                c.SetCoefficient(rho[j], reduced.Room[(s * r) + j] / scale[j]);
            }
        }

        if (solver.Solve() != Google.OrTools.LinearSolver.Solver.ResultStatus.OPTIMAL)
        {
            return duals;
        }

        for (var g = 0; g < reduced.GroupCount; g++)
        {
            for (var j = 0; j < r; j++)
            {
                if (scale[j] > 0)
                {
                    duals[g] += reduced.Request[(g * r) + j] * Math.Max(0, rho[j].SolutionValue()) / scale[j];
                }
            }
        }

        return duals;
    }

    /// <summary>
    /// The weaker bound: per resource, every pod's request bought at the cheapest price per unit of that
    /// resource among its usable shapes; per group, its pods alone on their cheapest shape. Each is a
    /// relaxation of the LP, so the larger of them is still a lower bound.
    /// </summary>
    private static double FallbackBound(ReducedProblem reduced)
    {
        var cheapest = new Dictionary<(int Group, int Resource), double>();
        var perGroup = new double[reduced.GroupCount];
        Array.Fill(perGroup, double.PositiveInfinity);
        for (var s = 0; s < reduced.ShapeCount; s++)
        {
            var groups = reduced.ShapeGroups[s];
            var rows = reduced.ShapeRows[s];
            var coefficients = reduced.Coefficients[s];
            for (var k = 0; k < groups.Length; k++)
            {
                var g = groups[k];
                perGroup[g] = Math.Min(perGroup[g], reduced.IsolatedCostPerPod(s, k));
                for (var j = 0; j < rows.Length; j++)
                {
                    var a = coefficients[(k * rows.Length) + j];
                    if (a > 0)
                    {
                        var cost = reduced.Price[s] * a;
                        var key = (g, rows[j]);
                        cheapest[key] = cheapest.TryGetValue(key, out var c) ? Math.Min(c, cost) : cost;
                    }
                }
            }
        }

        var perResource = new Dictionary<int, double>();
        foreach (var ((g, r), cost) in cheapest)
        {
            perResource[r] = perResource.GetValueOrDefault(r) + (reduced.Demand[g] * cost);
        }

        var bound = 0.0;
        foreach (var v in perResource.Values)
        {
            bound = Math.Max(bound, v);
        }

        for (var g = 0; g < reduced.GroupCount; g++)
        {
            bound = Math.Max(bound, reduced.Demand[g] * perGroup[g]);
        }

        return bound;
    }

    private sealed record Pattern(int Shape, int[] Groups, double Ratio);
}
