using Google.OrTools.LinearSolver;
using Karpenter.Orleans.Scheduling.Optimization;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Tests.Optimization;

/// <summary>
/// The LP exactly as specified, with no reduction, pricing or column generation: every shape, every fitting
/// (group, shape) pair, equality demand rows, one row per shape and requested resource (cores, GiB, pods,
/// GiB, extended units) and one cap row per capped pair. The solver under test must agree with it.
/// </summary>
internal static class ReferenceLp
{
    private const double GiB = 1L << 30;

    public static double Solve(LowerBoundProblem problem)
    {
        var groups = problem.Groups
            .Where(g => g.Count > 0 && g.MaxPerNode is not <= 0 && !(g.Request.IsZero && g.MaxPerNode is null))
            .Select(g => (Group: g, Usable: g.CompatibleShapes.Distinct().Where(s => g.Request.FitsIn(problem.Shapes[s].Room)).ToArray()))
            .Where(x => x.Usable.Length > 0)
            .ToList();
        if (groups.Count == 0)
        {
            return 0;
        }

        var resources = new List<(string Name, double Scale)>
        {
            (ResourceNames.Cpu, 1000), (ResourceNames.Memory, GiB), (ResourceNames.Pods, 1), (ResourceNames.EphemeralStorage, GiB),
        };
        resources.AddRange(groups
            .SelectMany(x => x.Group.Request.Extended?.Keys ?? Enumerable.Empty<string>())
            .Distinct(StringComparer.Ordinal)
            .Select(k => (k, 1000.0)));
        resources.RemoveAll(r => groups.All(x => x.Group.Request.Get(r.Name) <= 0));

        using var solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("GLOP is not available");
        var objective = solver.Objective();
        objective.SetMinimization();
        var nodes = new Variable[problem.Shapes.Count];
        var rows = new Constraint[problem.Shapes.Count, resources.Count];
        for (var s = 0; s < nodes.Length; s++)
        {
            nodes[s] = solver.MakeNumVar(0, double.PositiveInfinity, $"x{s}");
            objective.SetCoefficient(nodes[s], problem.Shapes[s].PricePerHour);
            for (var r = 0; r < resources.Count; r++)
            {
                rows[s, r] = solver.MakeConstraint(double.NegativeInfinity, 0, string.Empty);
                rows[s, r].SetCoefficient(nodes[s], -problem.Shapes[s].Room.Get(resources[r].Name) / resources[r].Scale);
            }
        }

        foreach (var (group, usable) in groups)
        {
            var demand = solver.MakeConstraint(group.Count, group.Count, string.Empty);
            foreach (var s in usable)
            {
                var y = solver.MakeNumVar(0, double.PositiveInfinity, string.Empty);
                demand.SetCoefficient(y, 1);
                for (var r = 0; r < resources.Count; r++)
                {
                    rows[s, r].SetCoefficient(y, group.Request.Get(resources[r].Name) / resources[r].Scale);
                }

                if (group.MaxPerNode is { } m)
                {
                    var cap = solver.MakeConstraint(double.NegativeInfinity, 0, string.Empty);
                    cap.SetCoefficient(y, 1);
                    cap.SetCoefficient(nodes[s], -m);
                }
            }
        }

        var status = solver.Solve();
        return status == Solver.ResultStatus.OPTIMAL
            ? objective.Value()
            : throw new InvalidOperationException($"reference LP ended {status}");
    }
}
