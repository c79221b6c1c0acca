namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>
/// A lower bound on the hourly cost of any plan that places the pods of a <see cref="LowerBoundProblem"/>:
/// the optimum of its LP relaxation, solved with GLOP.
/// </summary>
/// <remarks>
/// <para>
/// The LP has x_s ≥ 0 (fractional nodes of shape s) and y_gs ≥ 0 (pods of group g on shape s, only where one
/// pod of g fits on s at all). It requires Σ_s y_gs = Count_g; for every shape and every resource some group
/// requests (cpu, memory, pods, ephemeral storage, each extended resource) Σ_g Request_g·y_gs ≤ Room_s·x_s;
/// and y_gs ≤ MaxPerNode_g·x_s for capped groups. It minimises Σ_s Price_s·x_s.
/// </para>
/// <para>
/// Groups that cannot be placed at all are excluded from the bound, since no plan pays for them (they are
/// unschedulable anyway): a group with no compatible shape, one whose request no compatible shape can hold
/// in some resource, and one with MaxPerNode ≤ 0. Groups with Count ≤ 0, and uncapped groups that request
/// nothing, cost nothing. Shape prices must be finite and non-negative, and compatible-shape indices valid.
/// </para>
/// <para>
/// The model is first reduced without changing its optimum: uncapped groups with the same request and
/// usable shapes are merged, caps that the resources already imply are dropped, and shapes another shape
/// dominates are removed. It is then solved by column generation (see <see cref="ColumnGeneration"/>).
/// </para>
/// <para>
/// The reported price is certified by weak duality rather than read off GLOP: the demand duals, scaled down
/// until no shape can carry more than its price, bound the cost of every plan whatever GLOP's tolerances
/// did, and at the optimum they equal the LP objective (the solver stops within a relative 1e-6 of it).
/// If GLOP cannot be loaded, fails, or pricing runs out of rounds, the result is the best bound proved so
/// far and never less than a weaker fallback, which is also what is reported when nothing was proved: the
/// larger of, per resource, Σ_g Count_g·Request_g·(cheapest Price/Room over g's usable shapes), and, per
/// group, Count_g times its cheapest cost per pod on nodes of its own. <see cref="LowerBoundResult.ShapeCounts"/>
/// is then all zero.
/// </para>
/// </remarks>
public static class LowerBoundSolver
{
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
        var run = options.ForceFallback ? null : new ColumnGeneration(reduced, options).Run();
        var certified = run?.Certified ?? 0;
        if (run is { Nodes: { } nodes })
        {
            for (var s = 0; s < reduced.ShapeCount; s++)
            {
                counts[reduced.ShapeOriginal[s]] = nodes[s];
            }
        }

        var usedFallback = run is not { Optimal: true } && fallback >= certified;
        diagnostics = new LowerBoundDiagnostics(
            reduced.GroupCount, reduced.ShapeCount, run?.ShapesInLp ?? 0, run?.PairsInLp ?? 0, run?.Rounds ?? 0,
            run?.Optimal ?? false, usedFallback);
        if (usedFallback)
        {
            Array.Clear(counts);
        }

        var patterns = run is { Optimal: true } && !usedFallback ? Patterns(problem, reduced, run.Patterns) : [];
        return new LowerBoundResult(Math.Max(certified, fallback), counts) { Patterns = patterns };
    }

    // Back to the problem's numbering; merged twins share their pods in proportion to their counts.
    private static List<LowerBoundPattern> Patterns(LowerBoundProblem problem, ReducedProblem reduced, IReadOnlyList<ColumnGeneration.LpPattern> lp)
    {
        // Demand rows are "at least Count", so an optimum may put extra pods in room it pays for anyway:
        // scale each group back to its count (fewer pods on the same nodes still fit).
        var placed = new double[reduced.GroupCount];
        foreach (var p in lp)
        {
            foreach (var (g, y) in p.Pods)
            {
                placed[g] += y;
            }
        }

        var result = new List<LowerBoundPattern>(lp.Count);
        foreach (var p in lp)
        {
            var pods = new List<(int, double)>();
            foreach (var (g, pairPods) in p.Pods)
            {
                var y = placed[g] > reduced.Demand[g] ? pairPods * reduced.Demand[g] / placed[g] : pairPods;
                var members = reduced.GroupMembers[g];
                double total = members.Sum(m => (long)problem.Groups[m].Count);
                foreach (var m in members)
                {
                    pods.Add((m, y * problem.Groups[m].Count / total));
                }
            }

            result.Add(new LowerBoundPattern(reduced.ShapeOriginal[p.Shape], p.Nodes, pods));
        }

        return result;
    }

    /// <summary>
    /// The weaker bound: per resource, every pod's request bought at the cheapest price per unit of that
    /// resource among its usable shapes; per group, its pods alone on their cheapest shape. Each relaxes the
    /// LP, so the larger of them is still a lower bound.
    /// </summary>
    private static double FallbackBound(ReducedProblem reduced)
    {
        var r = reduced.ResourceCount;
        var cheapest = new double[reduced.GroupCount * r];
        Array.Fill(cheapest, double.PositiveInfinity);
        for (var s = 0; s < reduced.ShapeCount; s++)
        {
            var groups = reduced.ShapeGroups[s];
            var rows = reduced.ShapeRows[s];
            var coefficients = reduced.Coefficients[s];
            for (var k = 0; k < groups.Length; k++)
            {
                for (var j = 0; j < rows.Length; j++)
                {
                    var at = (groups[k] * r) + rows[j];
                    cheapest[at] = Math.Min(cheapest[at], reduced.Price[s] * coefficients[(k * rows.Length) + j]);
                }
            }
        }

        var bound = 0.0;
        for (var j = 0; j < r; j++)
        {
            var total = 0.0;
            for (var g = 0; g < reduced.GroupCount; g++)
            {
                var c = cheapest[(g * r) + j];
                if (!double.IsPositiveInfinity(c))
                {
                    total += reduced.Demand[g] * c;
                }
            }

            bound = Math.Max(bound, total);
        }

        for (var g = 0; g < reduced.GroupCount; g++)
        {
            bound = Math.Max(bound, reduced.Demand[g] * reduced.AloneCostPerPod[g]);
        }

        return bound;
    }
}
