using Google.OrTools.LinearSolver;

namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>
/// The LP in GLOP over a subset of its shapes and (group, shape) pairs. Demand rows are Σ_s y_gs ≥ Count_g
/// (the same optimum as equality since a node may carry fewer pods, and the duals come out non-negative).
/// A shape brings x_s and one row per resource, Σ_g (Request_g/Room_s)·y_gs ≤ x_s, so coefficients are
/// "share of one node per pod" in (0, 1] whatever the unit; a pair brings y_gs and, where the cap binds,
/// y_gs/m ≤ x_s. MPSolver re-solves GLOP from scratch after a change, so callers add in batches.
/// </summary>
internal sealed class RestrictedLp : IDisposable
{
    private readonly ReducedProblem _problem;
    private readonly Solver _solver;
    private readonly Objective _objective;
    private readonly Constraint[] _demand;
    private readonly Variable?[] _nodes;
    private readonly Constraint[]?[] _rows;
    private readonly bool[]?[] _pairs;

    private RestrictedLp(ReducedProblem problem, Solver solver)
    {
        _problem = problem;
        _solver = solver;
        _objective = solver.Objective();
        _objective.SetMinimization();
        _demand = new Constraint[problem.GroupCount];
        for (var g = 0; g < problem.GroupCount; g++)
        {
            _demand[g] = solver.MakeConstraint(problem.Demand[g], double.PositiveInfinity, string.Empty);
        }

        _nodes = new Variable?[problem.ShapeCount];
        _rows = new Constraint[problem.ShapeCount][];
        _pairs = new bool[problem.ShapeCount][];
    }

    public int ShapeCount { get; private set; }

    public int PairCount { get; private set; }

    /// <summary>Null when the GLOP backend cannot be loaded in this process.</summary>
    public static RestrictedLp? TryCreate(ReducedProblem problem)
    {
        Solver? solver;
        try
        {
            solver = Solver.CreateSolver("GLOP");
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            return null;
        }

        return solver is null ? null : new RestrictedLp(problem, solver);
    }

    public bool HasShape(int s) => _nodes[s] is not null;

    /// <summary>Whether y for the <paramref name="k"/>-th usable group of shape <paramref name="s"/> is in the LP.</summary>
    public bool HasPair(int s, int k) => _pairs[s] is { } p && p[k];

    /// <summary>Adds y for the <paramref name="k"/>-th usable group of shape <paramref name="s"/> (and the shape if new).</summary>
    public void AddPair(int s, int k)
    {
        var x = _nodes[s];
        if (x is null)
        {
            x = _solver.MakeNumVar(0, double.PositiveInfinity, string.Empty);
            _nodes[s] = x;
            _objective.SetCoefficient(x, _problem.Price[s]);
            var rows = new Constraint[_problem.ShapeRows[s].Length];
            for (var j = 0; j < rows.Length; j++)
            {
                rows[j] = _solver.MakeConstraint(double.NegativeInfinity, 0, string.Empty);
                rows[j].SetCoefficient(x, -1);
            }

            _rows[s] = rows;
            _pairs[s] = new bool[_problem.ShapeGroups[s].Length];
            ShapeCount++;
        }

        var pairs = _pairs[s]!;
        if (pairs[k])
        {
            return;
        }

        pairs[k] = true;
        PairCount++;
        var g = _problem.ShapeGroups[s][k];
        var y = _solver.MakeNumVar(0, double.PositiveInfinity, string.Empty);
        _demand[g].SetCoefficient(y, 1);
        var shapeRows = _rows[s]!;
        var coefficients = _problem.Coefficients[s];
        for (var j = 0; j < shapeRows.Length; j++)
        {
            var a = coefficients[(k * shapeRows.Length) + j];
            if (a > 0)
            {
                shapeRows[j].SetCoefficient(y, a);
            }
        }

        if (_problem.CapRows[s][k])
        {
            var cap = _solver.MakeConstraint(double.NegativeInfinity, 0, string.Empty);
            cap.SetCoefficient(y, 1 / _problem.Cap[g]);
            cap.SetCoefficient(x, -1);
        }
    }

    /// <summary>Solves; true when GLOP reports an optimal solution.</summary>
    public bool Solve() => _solver.Solve() == Solver.ResultStatus.OPTIMAL;

    public double Objective => _objective.Value();

    /// <summary>Demand duals, clamped at zero (they are ≥ 0 up to tolerance).</summary>
    public void ReadDemandDuals(double[] duals)
    {
        for (var g = 0; g < _demand.Length; g++)
        {
            duals[g] = Math.Max(0, _demand[g].DualValue());
        }
    }

    /// <summary>
    /// Reduced cost a new y for the <paramref name="k"/>-th usable group of shape <paramref name="s"/> (in the LP) would
    /// have: −π_g minus the resource rows' duals times its coefficients (its cap row would start with dual 0).
    /// </summary>
    public double PairReducedCost(int s, int k, double[] demandDuals, double[] rowDuals)
    {
        var rows = _problem.ShapeRows[s].Length;
        var coefficients = _problem.Coefficients[s];
        var d = -demandDuals[_problem.ShapeGroups[s][k]];
        for (var j = 0; j < rows; j++)
        {
            d -= rowDuals[j] * coefficients[(k * rows) + j];
        }

        return d;
    }

    /// <summary>GLOP's duals of the resource rows of shape <paramref name="s"/> (≤ 0 for these ≤ rows).</summary>
    public void ReadRowDuals(int s, double[] rowDuals)
    {
        var rows = _rows[s]!;
        for (var j = 0; j < rows.Length; j++)
        {
            rowDuals[j] = rows[j].DualValue();
        }
    }

    public double Nodes(int s) => _nodes[s] is { } x ? Math.Max(0, x.SolutionValue()) : 0;

    public void Dispose() => _solver.Dispose();
}
