using CsCheck;
using Karpenter.Orleans.Scheduling.Optimization;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Tests.Optimization;

/// <summary>
/// The LP optimum the solver rounds into claims (<see cref="LowerBoundResult.Patterns"/>) is a real solution
/// of the LP: it costs the bound, places every placeable pod exactly once, and never overfills a node.
/// </summary>
public sealed class LowerBoundPatternTests
{
    private const int Iterations = 150;

    private static readonly string[] Resources = [ResourceNames.Cpu, ResourceNames.Memory, ResourceNames.Pods, "nvidia.com/gpu"];

    [Fact]
    public void OptimalPatternsCostTheBound() =>
        ForOptimalSolves((problem, result) =>
        {
            var cost = result.Patterns.Sum(p => p.Nodes * problem.Shapes[p.Shape].PricePerHour);
            var bound = result.PricePerHour;
            Assert.True(
                Math.Abs(cost - bound) <= 1e-6 * Math.Max(1, bound),
                $"patterns cost {cost}, bound {bound}");
        });

    [Fact]
    public void OptimalPatternsPlaceEveryPlaceablePodAndNoOther() =>
        ForOptimalSolves((problem, result) =>
        {
            var placed = new double[problem.Groups.Count];
            foreach (var pattern in result.Patterns)
            {
                foreach (var (g, pods) in pattern.Pods)
                {
                    Assert.True(pods >= 0, $"pattern on shape {pattern.Shape} carries {pods} pods of group {g}");
                    Assert.Contains(pattern.Shape, problem.Groups[g].CompatibleShapes);
                    placed[g] += pods;
                }
            }

            for (var g = 0; g < problem.Groups.Count; g++)
            {
                // The generator's groups all have pods and a positive cap; a group is left out of the LP
                // (and so of the patterns) only when none of its compatible shapes holds one of its pods.
                var group = problem.Groups[g];
                var placeable = group.CompatibleShapes.Any(s => group.Request.FitsIn(problem.Shapes[s].Room));
                var expected = placeable ? group.Count : 0;
                Assert.True(
                    Math.Abs(placed[g] - expected) <= 1e-5 * Math.Max(1, expected),
                    $"group {g} (placeable: {placeable}) has {placed[g]} pods in the patterns, expected {expected}");
            }
        });

    [Fact]
    public void PatternsDoNotCarryMorePodsOfAGroupThanItHas()
    {
        // Found by the property above. The 35 GPU nodes of shape 3 (12 cores, 2 GPUs) that groups 0 and 7 need
        // have cpu left over, which fits more than group 2's 27 pods (4583m each) at no extra cost; the patterns
        // must still carry exactly 27 of them.
        var spec = new ProblemSpec(
            [new ShapeSpec(2, 6, 16, 26, 0, 28), new ShapeSpec(2, 10, 9, 30, 0, 169), new ShapeSpec(3, 12, 59, 2, 0, 300), new ShapeSpec(1, 12, 64, 18, 2, 26)],
            [
                new GroupSpec(625, 16244, 35, 1, 10, true), new GroupSpec(183, 7184, 33, 0, 8, true), new GroupSpec(4583, 941, 27, 0, 14, false),
                new GroupSpec(1446, 18742, 37, 1, 4, false), new GroupSpec(3031, 19664, 8, 3, 9, false), new GroupSpec(2080, 664, 33, 0, 13, false),
                new GroupSpec(2590, 6074, 24, 2, 12, false), new GroupSpec(2397, 11288, 39, 0, 2, true),
            ]);

        var result = LowerBoundSolver.Solve(spec.ToProblem(), LowerBoundOptions.Default, out var diagnostics);

        Assert.True(diagnostics.Optimal);
        Assert.Equal(27, result.Patterns.Sum(p => p.Pods.Where(x => x.Group == 2).Sum(x => x.Pods)), 1e-4);
    }

    [Fact]
    public void EveryPatternFitsItsNodesInEachResourceAndCap() =>
        ForOptimalSolves((problem, result) =>
        {
            foreach (var pattern in result.Patterns)
            {
                var shape = problem.Shapes[pattern.Shape];
                Assert.True(pattern.Nodes > 0, $"pattern on {shape.Name} has {pattern.Nodes} nodes");
                foreach (var name in Resources)
                {
                    var used = pattern.Pods.Sum(p => p.Pods * problem.Groups[p.Group].Request.Get(name));
                    var room = pattern.Nodes * shape.Room.Get(name);

                    // GLOP's feasibility tolerance: a millionth of the room, plus a millionth of one node.
                    Assert.True(
                        used <= (room * (1 + 1e-6)) + (1e-6 * shape.Room.Get(name)),
                        $"{name}: {used} requested on {pattern.Nodes} nodes of {shape.Name} with room {room}");
                }

                // Hostname caps hold per node as well: at most MaxPerNode pods of the group on each.
                foreach (var (g, pods) in pattern.Pods)
                {
                    if (problem.Groups[g].MaxPerNode is { } cap)
                    {
                        Assert.True(
                            pods <= (cap * pattern.Nodes * (1 + 1e-6)) + 1e-6,
                            $"group {g} has {pods} pods on {pattern.Nodes} nodes of {shape.Name}, cap {cap}");
                    }
                }
            }
        });

    [Fact]
    public void FallbackBoundsCarryNoPatterns() =>
        LowerBoundGen.Problem.Sample(
            spec =>
            {
                // The fallback is no LP solution: there is nothing the solver could round.
                var result = LowerBoundSolver.Solve(spec.ToProblem(), LowerBoundOptions.Default with { ForceFallback = true }, out _);
                Assert.Empty(result.Patterns);
            },
            iter: 50,
            threads: 1,
            print: spec => spec.ToString());

    /// <summary>Runs <paramref name="check"/> on every sampled problem that column generation solves to optimality.</summary>
    private static void ForOptimalSolves(Action<LowerBoundProblem, LowerBoundResult> check) =>
        LowerBoundGen.Problem.Sample(
            spec =>
            {
                var problem = spec.ToProblem();
                var result = LowerBoundSolver.Solve(problem, LowerBoundOptions.Default, out var diagnostics);
                if (diagnostics.Optimal)
                {
                    check(problem, result);
                }
            },
            iter: Iterations,
            threads: 1,
            print: spec => spec.ToString());
}
