using System.Collections.Immutable;
using CsCheck;
using Karpenter.Orleans.Scheduling.Optimization;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Tests.Optimization;

/// <summary>A generated shape; <see cref="Family"/> picks the bit of a group's mask that makes it compatible.</summary>
internal sealed record ShapeSpec(int Family, int Cores, int Gib, int Pods, int Gpus, int PriceCents);

/// <summary>A generated group; <see cref="Cap"/> 0 means uncapped, <see cref="Mask"/> has a bit per shape family.</summary>
internal sealed record GroupSpec(int MilliCpu, int MemoryMi, int Count, int Cap, int Mask, bool Gpu);

internal sealed record ProblemSpec(ShapeSpec[] Shapes, GroupSpec[] Groups)
{
    public LowerBoundProblem ToProblem()
    {
        var shapes = Shapes.Select((s, i) => new LowerBoundShape(
            $"s{i}",
            new ResourceVector(s.Cores * 1000L, s.Gib * LowerBoundGen.GiB, s.Pods, 0, s.Gpus > 0 ? Gpus(s.Gpus) : null),
            s.PriceCents / 100.0)).ToList();
        var groups = Groups.Select(g => new LowerBoundGroup(
            g.Count,
            new ResourceVector(g.MilliCpu, g.MemoryMi * LowerBoundGen.MiB, 1, 0, g.Gpu ? Gpus(1) : null),
            [.. Enumerable.Range(0, Shapes.Length).Where(i => ((g.Mask >> Shapes[i].Family) & 1) == 1)],
            g.Cap == 0 ? null : g.Cap)).ToList();
        return new LowerBoundProblem(shapes, groups);
    }

    /// <summary>
    /// Adds, per shape, a pricier copy (dominated), an identical twin (a tie) and a double-size copy at double
    /// price (a tie per unit of room, which caps may or may not break), all in the same family.
    /// </summary>
    public ProblemSpec WithDominatedCopies() => this with
    {
        Shapes =
        [
            .. Shapes,
            .. Shapes.Select(s => s with { PriceCents = s.PriceCents + 7 }),
            .. Shapes,
            .. Shapes.Select(s => s with { Cores = s.Cores * 2, Gib = s.Gib * 2, Pods = s.Pods * 2, Gpus = s.Gpus * 2, PriceCents = s.PriceCents * 2 }),
        ],
    };

    public override string ToString() =>
        $"shapes: {string.Join("; ", Shapes.Select(s => s.ToString()))}\ngroups: {string.Join("; ", Groups.Select(g => g.ToString()))}";

    private static ImmutableSortedDictionary<string, long> Gpus(int n) =>
        ImmutableSortedDictionary<string, long>.Empty.Add("nvidia.com/gpu", n * 1000L);
}

/// <summary>Generators of small lower-bound problems, and a plan any of them can afford.</summary>
internal static class LowerBoundGen
{
    public const long MiB = 1L << 20;
    public const long GiB = 1L << 30;

    public static readonly Gen<ShapeSpec> Shape =
        Gen.Select(Gen.Int[0, 3], Gen.Int[1, 16], Gen.Int[1, 64], Gen.Int[2, 30], Gen.Int[0, 4].Select(n => n < 3 ? 0 : n - 2), Gen.Int[1, 300])
            .Select((family, cores, gib, pods, gpus, cents) => new ShapeSpec(family, cores, gib, pods, gpus, cents));

    public static readonly Gen<GroupSpec> Group =
        Gen.Select(Gen.Int[50, 6000], Gen.Int[32, 20000], Gen.Int[1, 40], Gen.Int[0, 6].Select(c => c > 3 ? 0 : c), Gen.Int[0, 15], Gen.Int[0, 9].Select(x => x == 0))
            .Select((cpu, mem, count, cap, mask, gpu) => new GroupSpec(cpu, mem, count, cap, mask, gpu));

    public static readonly Gen<ProblemSpec> Problem =
        Gen.Select(Shape.Array[1, 7], Group.Array[0, 8]).Select((shapes, groups) => new ProblemSpec(shapes, groups));

    /// <summary>
    /// The cost of a plan that really places every placeable pod: each group alone on whole nodes of the shape
    /// cheapest for it (pods per node from the request division and the cap).
    /// </summary>
    public static double FeasiblePackingCost(LowerBoundProblem problem)
    {
        var total = 0.0;
        foreach (var g in problem.Groups)
        {
            if (g.Count <= 0 || g.MaxPerNode is <= 0 || (g.Request.IsZero && g.MaxPerNode is null))
            {
                continue;
            }

            var best = double.PositiveInfinity;
            foreach (var s in g.CompatibleShapes.Distinct())
            {
                var shape = problem.Shapes[s];
                if (!g.Request.FitsIn(shape.Room))
                {
                    continue;
                }

                var perNode = Math.Min(shape.Room.HowManyFit(g.Request), g.MaxPerNode ?? long.MaxValue);
                best = Math.Min(best, Math.Ceiling((double)g.Count / perNode) * shape.PricePerHour);
            }

            if (!double.IsPositiveInfinity(best))
            {
                total += best;
            }
        }

        return total;
    }
}
