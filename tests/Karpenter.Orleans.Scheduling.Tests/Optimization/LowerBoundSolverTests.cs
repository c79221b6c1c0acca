using System.Collections.Immutable;
using Karpenter.Orleans.Scheduling.Optimization;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Tests.Optimization;

public sealed class LowerBoundSolverTests
{
    private const long GiB = 1L << 30;
    private const double Tolerance = 1e-6;

    [Fact]
    public void EmptyProblemCostsNothing()
    {
        var result = LowerBoundSolver.Solve(new LowerBoundProblem([], []));

        Assert.Equal(0, result.PricePerHour);
        Assert.Empty(result.ShapeCounts);
    }

    [Fact]
    public void ShapesWithoutPodsCostNothing()
    {
        var result = LowerBoundSolver.Solve(new LowerBoundProblem([Shape(2, 4, 1.0)], []));

        Assert.Equal(0, result.PricePerHour);
        Assert.Equal([0.0], result.ShapeCounts);
    }

    [Fact]
    public void OneGroupOnOneShapePaysForFractionalNodes()
    {
        // 3 pods of 1 cpu on 2-cpu nodes at $1: 1.5 nodes, no rounding up.
        var result = LowerBoundSolver.Solve(new LowerBoundProblem([Shape(2, 8, 1.0)], [Group(3, 1000, 1, [0])]));

        Assert.Equal(1.5, result.PricePerHour, Tolerance);
        Assert.Equal(1.5, result.ShapeCounts[0], Tolerance);
    }

    [Fact]
    public void MixingACpuHeavyAndAMemoryHeavyShapeBeatsEitherAlone()
    {
        // 8 pods (1 cpu, 1 GiB) fill one 8-cpu/8-GiB node; 4 pods (0.5 cpu, 8 GiB) fill one 2-cpu/32-GiB node.
        // Either shape alone needs 5 nodes: 10 cpu on 2-cpu nodes, or 40 GiB on 8-GiB nodes.
        LowerBoundShape[] shapes = [Shape(8, 8, 1.0), Shape(2, 32, 1.0)];

        var both = LowerBoundSolver.Solve(new LowerBoundProblem(shapes, [Group(8, 1000, 1, [0, 1]), Group(4, 500, 8, [0, 1])]));
        var cpuHeavyOnly = LowerBoundSolver.Solve(new LowerBoundProblem(shapes, [Group(8, 1000, 1, [0]), Group(4, 500, 8, [0])]));
        var memoryHeavyOnly = LowerBoundSolver.Solve(new LowerBoundProblem(shapes, [Group(8, 1000, 1, [1]), Group(4, 500, 8, [1])]));

        Assert.Equal(2.0, both.PricePerHour, Tolerance);
        Assert.Equal(1.0, both.ShapeCounts[0], Tolerance);
        Assert.Equal(1.0, both.ShapeCounts[1], Tolerance);
        Assert.Equal(5.0, cpuHeavyOnly.PricePerHour, Tolerance);
        Assert.Equal(5.0, memoryHeavyOnly.PricePerHour, Tolerance);
    }

    [Fact]
    public void MaxPerNodeOfOneForcesOneNodePerPod()
    {
        // Five 100m pods: uncapped they share a fraction of a node; with anti-affinity each needs its own,
        // so the cheapest node ($0.5, 2 cpu) five times.
        LowerBoundShape[] shapes = [Shape(2, 8, 0.5), Shape(4, 16, 1.0)];

        var uncapped = LowerBoundSolver.Solve(new LowerBoundProblem(shapes, [Group(5, 100, 0, [0, 1])]));
        var capped = LowerBoundSolver.Solve(new LowerBoundProblem(shapes, [Group(5, 100, 0, [0, 1], maxPerNode: 1)]));

        Assert.Equal(0.125, uncapped.PricePerHour, Tolerance);
        Assert.Equal(2.5, capped.PricePerHour, Tolerance);
        Assert.Equal(5.0, capped.ShapeCounts[0], Tolerance);
        Assert.Equal(0.0, capped.ShapeCounts[1], Tolerance);
    }

    [Fact]
    public void ShapesAGroupIsNotCompatibleWithAreIgnored()
    {
        // The $0.1 shape would be far cheaper, but the pods may only use the $1 one.
        LowerBoundShape[] shapes = [Shape(4, 16, 0.1), Shape(4, 16, 1.0)];

        var result = LowerBoundSolver.Solve(new LowerBoundProblem(shapes, [Group(4, 1000, 1, [1])]));

        Assert.Equal(1.0, result.PricePerHour, Tolerance);
        Assert.Equal(0.0, result.ShapeCounts[0]);
    }

    [Fact]
    public void GroupsThatCannotBePlacedAreLeftOutOfTheBound()
    {
        LowerBoundShape[] shapes = [Shape(2, 8, 1.0)];
        var placeable = Group(2, 1000, 1, [0]);

        var result = LowerBoundSolver.Solve(new LowerBoundProblem(shapes,
        [
            placeable,
            Group(5, 1000, 1, []),                // no compatible shape
            Group(5, 4000, 1, [0]),               // needs more cpu than any shape has
            Group(5, 100, 1, [0], maxPerNode: 0), // may not be on any node
            Group(0, 1000, 1, [0]),               // no pods
        ]));

        Assert.Equal(1.0, result.PricePerHour, Tolerance);
    }

    [Fact]
    public void ExtendedResourcesBindLikeCpuAndMemory()
    {
        // Four 1-GPU pods need two 2-GPU nodes at $3. Their spare room (28 cpu, 112 GiB) takes most of the
        // 40 CPU pods for free; the other 12 cpu and 48 GiB fill 0.75 of a cheap GPU-less node.
        LowerBoundShape[] shapes = [Shape(16, 64, 0.4), Shape(16, 64, 3.0, gpus: 2)];

        var result = LowerBoundSolver.Solve(new LowerBoundProblem(shapes, [Group(4, 1000, 4, [0, 1], gpus: 1), Group(40, 1000, 4, [0, 1])]));

        Assert.Equal(6.0 + (0.75 * 0.4), result.PricePerHour, Tolerance);
        Assert.Equal(0.75, result.ShapeCounts[0], Tolerance);
        Assert.Equal(2.0, result.ShapeCounts[1], Tolerance);
    }

    [Fact]
    public void UncappedTwinsAreMergedWithoutChangingTheBound()
    {
        LowerBoundShape[] shapes = [Shape(2, 8, 1.0), Shape(8, 8, 3.0)];

        var twins = LowerBoundSolver.Solve(
            new LowerBoundProblem(shapes, [Group(3, 1000, 1, [0, 1]), Group(4, 1000, 1, [1, 0])]), LowerBoundOptions.Default, out var diagnostics);
        var single = LowerBoundSolver.Solve(new LowerBoundProblem(shapes, [Group(7, 1000, 1, [0, 1])]));

        Assert.Equal(1, diagnostics.Groups);
        Assert.Equal(single.PricePerHour, twins.PricePerHour, Tolerance);
    }

    [Fact]
    public void CappedTwinsAreNotMergedBecauseEachMayFillItsOwnCap()
    {
        // Two groups, one pod each, at most one pod of each group per node: both fit on one $1 node.
        // Merged into one group with cap 1 they would need two nodes.
        var result = LowerBoundSolver.Solve(
            new LowerBoundProblem([Shape(4, 16, 1.0)], [Group(1, 100, 1, [0], maxPerNode: 1), Group(1, 100, 1, [0], maxPerNode: 1)]),
            LowerBoundOptions.Default,
            out var diagnostics);

        Assert.Equal(2, diagnostics.Groups);
        Assert.Equal(1.0, result.PricePerHour, Tolerance);
    }

    [Fact]
    public void DominatedShapesArePrunedAndTiesKeepExactlyOne()
    {
        // Shape 0 is the best; 1 is 0 at a higher price, 2 is 0 again (a tie), 3 has half the room at more
        // than half the price. Only one of 0 and 2 may survive, and the bound must not move.
        LowerBoundShape[] shapes = [Shape(4, 16, 1.0), Shape(4, 16, 2.0), Shape(4, 16, 1.0), Shape(2, 8, 0.6)];
        var problem = new LowerBoundProblem(shapes, [Group(10, 500, 2, [0, 1, 2, 3]), Group(3, 1500, 1, [0, 1, 2, 3])]);

        var pruned = LowerBoundSolver.Solve(problem, LowerBoundOptions.Default, out var diagnostics);
        var full = LowerBoundSolver.Solve(problem, LowerBoundOptions.Default with { PruneDominatedShapes = false }, out var fullDiagnostics);

        Assert.Equal(1, diagnostics.Shapes);
        Assert.Equal(4, fullDiagnostics.Shapes);
        Assert.Equal(full.PricePerHour, pruned.PricePerHour, Tolerance);
        Assert.Equal(0.0, pruned.ShapeCounts[2]);
    }

    [Fact]
    public void ShapeCountsPriceOutToTheBound()
    {
        LowerBoundShape[] shapes = [Shape(8, 8, 1.0), Shape(2, 32, 1.0), Shape(4, 16, 0.9)];
        var problem = new LowerBoundProblem(shapes, [Group(8, 1000, 1, [0, 1, 2]), Group(4, 500, 8, [0, 1, 2]), Group(3, 300, 2, [1, 2], maxPerNode: 1)]);

        var result = LowerBoundSolver.Solve(problem);

        var cost = result.ShapeCounts.Select((n, s) => n * shapes[s].PricePerHour).Sum();
        Assert.Equal(result.PricePerHour, cost, 1e-5);
    }

    [Fact]
    public void FallbackIsTheCheapestCoverOfEachResourceAndStaysBelowTheLp()
    {
        // Per resource: 10 cpu at $1/8 per cpu = 1.25; 40 GiB at $1/32 per GiB = 1.25. The LP finds 2.
        LowerBoundShape[] shapes = [Shape(8, 8, 1.0), Shape(2, 32, 1.0)];
        var problem = new LowerBoundProblem(shapes, [Group(8, 1000, 1, [0, 1]), Group(4, 500, 8, [0, 1])]);

        var fallback = LowerBoundSolver.Solve(problem, LowerBoundOptions.Default with { ForceFallback = true }, out var diagnostics);

        Assert.True(diagnostics.UsedFallback);
        Assert.False(diagnostics.Optimal);
        Assert.Equal(1.25, fallback.PricePerHour, Tolerance);
        Assert.All(fallback.ShapeCounts, n => Assert.Equal(0.0, n));
    }

    [Fact]
    public void PodsAFreeShapeCanHoldCostNothing()
    {
        LowerBoundShape[] shapes = [Shape(2, 8, 0.0), Shape(4, 16, 1.0)];

        var result = LowerBoundSolver.Solve(new LowerBoundProblem(shapes, [Group(6, 1000, 1, [0, 1]), Group(4, 1000, 4, [1])]));

        Assert.Equal(1.0, result.PricePerHour, Tolerance);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void LargerProblemsNeedingManyPricingRoundsReachTheLpOptimum(int seed)
    {
        var random = new Random(seed);
        var shapes = Enumerable.Range(0, 60).Select(i =>
        {
            var cores = 1 << random.Next(0, 6);
            var gib = cores * (1 << random.Next(0, 4));
            return Shape(cores, gib, Math.Round(cores * (0.03 + (0.02 * random.NextDouble())) + (gib * 0.004), 4), gpus: i % 15 == 0 ? 1 : 0);
        }).ToArray();
        var groups = Enumerable.Range(0, 40).Select(i => Group(
            random.Next(1, 60),
            random.Next(1, 40) * 100,
            random.Next(0, 9),
            [.. Enumerable.Range(0, 60).Where(s => (s + i) % (1 + (i % 4)) == 0)],
            maxPerNode: i % 3 == 0 ? random.Next(1, 4) : null,
            gpus: i % 13 == 0 ? 1 : 0)).ToArray();
        var problem = new LowerBoundProblem(shapes, groups);

        var result = LowerBoundSolver.Solve(problem, LowerBoundOptions.Default, out var diagnostics);
        var lp = ReferenceLp.Solve(problem);

        Assert.True(diagnostics.Optimal);
        Assert.True(diagnostics.Rounds > 2, $"only {diagnostics.Rounds} rounds: the case is too easy to test pricing");
        Assert.InRange(result.PricePerHour, lp * (1 - 1e-5), lp * (1 + 1e-7));
    }

    [Fact]
    public void InvalidProblemsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => LowerBoundSolver.Solve(new LowerBoundProblem([Shape(2, 8, -1.0)], [])));
        Assert.Throws<ArgumentException>(() => LowerBoundSolver.Solve(new LowerBoundProblem([Shape(2, 8, double.NaN)], [])));
        Assert.Throws<ArgumentException>(() => LowerBoundSolver.Solve(new LowerBoundProblem([Shape(2, 8, 1.0)], [Group(1, 100, 1, [1])])));
        Assert.Throws<ArgumentNullException>(() => LowerBoundSolver.Solve(null!));
    }

    private static LowerBoundShape Shape(int cores, int gib, double price, int gpus = 0) =>
        new($"{cores}c{gib}g{gpus}", new ResourceVector(cores * 1000L, gib * GiB, cores * 20L, 0, Gpus(gpus)), price);

    private static LowerBoundGroup Group(int count, long milliCpu, int gib, int[] compatible, int? maxPerNode = null, int gpus = 0) =>
        new(count, new ResourceVector(milliCpu, gib * GiB, 1, 0, Gpus(gpus)), compatible, maxPerNode);

    private static ImmutableSortedDictionary<string, long>? Gpus(int n) =>
        n > 0 ? ImmutableSortedDictionary<string, long>.Empty.Add("nvidia.com/gpu", n * 1000L) : null;
}
