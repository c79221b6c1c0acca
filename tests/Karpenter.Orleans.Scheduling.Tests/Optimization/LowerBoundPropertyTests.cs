using CsCheck;
using Karpenter.Orleans.Scheduling.Optimization;

namespace Karpenter.Orleans.Scheduling.Tests.Optimization;

/// <summary>
/// Properties of the lower bound over small random problems: it is a real lower bound, it is the LP optimum
/// (checked against the unreduced LP), and the reductions and the fallback keep it valid.
/// </summary>
public sealed class LowerBoundPropertyTests
{
    private const int Iterations = 150;

    [Fact]
    public void BoundNeverExceedsTheCostOfASimpleFeasiblePacking() =>
        LowerBoundGen.Problem.Sample(
            spec =>
            {
                var problem = spec.ToProblem();
                var bound = LowerBoundSolver.Solve(problem).PricePerHour;
                var packing = LowerBoundGen.FeasiblePackingCost(problem);
                Assert.True(bound <= packing * (1 + 1e-9) + 1e-9, $"bound {bound} > feasible packing {packing}");
            },
            iter: Iterations,
            threads: 1,
            print: spec => spec.ToString());

    [Fact]
    public void BoundIsTheOptimumOfTheUnreducedLp() =>
        LowerBoundGen.Problem.Sample(
            spec =>
            {
                var problem = spec.ToProblem();
                var bound = LowerBoundSolver.Solve(problem, LowerBoundOptions.Default, out var diagnostics).PricePerHour;
                var lp = ReferenceLp.Solve(problem);
                Assert.True(diagnostics.Optimal, "column generation did not prove optimality");
                Assert.True(bound <= lp * (1 + 1e-7) + 1e-9, $"bound {bound} above the LP optimum {lp}");
                Assert.True(bound >= lp * (1 - 1e-5) - 1e-9, $"bound {bound} well below the LP optimum {lp}");
            },
            iter: Iterations,
            threads: 1,
            print: spec => spec.ToString());

    [Fact]
    public void PruningDominatedShapesDoesNotChangeTheOptimum() =>
        LowerBoundGen.Problem.Select(spec => spec.WithDominatedCopies()).Sample(
            spec =>
            {
                var problem = spec.ToProblem();
                var pruned = LowerBoundSolver.Solve(problem, LowerBoundOptions.Default, out var diagnostics).PricePerHour;
                var full = LowerBoundSolver.Solve(problem, LowerBoundOptions.Default with { PruneDominatedShapes = false }, out var fullDiagnostics).PricePerHour;
                Assert.True(diagnostics.Shapes <= fullDiagnostics.Shapes);
                Assert.True(Math.Abs(pruned - full) <= 1e-5 * Math.Max(1, full), $"pruned {pruned} vs unpruned {full}");
            },
            iter: Iterations,
            threads: 1,
            print: spec => spec.ToString());

    [Fact]
    public void MergingGroupsDoesNotChangeTheOptimum() =>
        LowerBoundGen.Problem.Select(spec => spec with { Groups = [.. spec.Groups, .. spec.Groups] }).Sample(
            spec =>
            {
                var problem = spec.ToProblem();
                var merged = LowerBoundSolver.Solve(problem).PricePerHour;
                var separate = LowerBoundSolver.Solve(problem, LowerBoundOptions.Default with { MergeGroups = false }, out _).PricePerHour;
                Assert.True(Math.Abs(merged - separate) <= 1e-5 * Math.Max(1, separate), $"merged {merged} vs separate {separate}");
            },
            iter: Iterations,
            threads: 1,
            print: spec => spec.ToString());

    [Fact]
    public void FallbackNeverExceedsTheLpBound() =>
        LowerBoundGen.Problem.Sample(
            spec =>
            {
                var problem = spec.ToProblem();
                var lp = LowerBoundSolver.Solve(problem).PricePerHour;
                var fallback = LowerBoundSolver.Solve(problem, LowerBoundOptions.Default with { ForceFallback = true }, out _).PricePerHour;
                Assert.True(fallback <= lp * (1 + 1e-9) + 1e-9, $"fallback {fallback} > LP bound {lp}");
            },
            iter: Iterations,
            threads: 1,
            print: spec => spec.ToString());
}
