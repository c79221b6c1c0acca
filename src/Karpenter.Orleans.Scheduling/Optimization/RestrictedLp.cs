using Google.OrTools.LinearSolver;

namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>
/// The LP in GLOP over the pairs of a <see cref="ColumnPool"/>. Demand rows are Σ_s y_gs + u_g ≥ Count_g (the
/// same optimum as equality since a node may carry fewer pods, and the duals come out non-negative). A shape
/// with a pair brings x_s and one row per resource, Σ_g (Request_g/Room_s)·y_gs ≤ x_s, so coefficients are the
/// share of one node per pod, in (0, 1] whatever the unit; a pair the pool has capped brings y_gs/m ≤ x_s.
/// </summary>
/// <remarks>
/// u_g is group g's pods alone on nodes of its cheapest shape, at that cost per pod: a plan the LP already
/// allows, so the optimum does not move, but it keeps every restricted LP feasible and gives GLOP a feasible
/// start (a singleton per demand row), which more than halves its iterations. MPSolver re-solves GLOP from
/// scratch after any change, so each round builds a fresh model with only the pairs worth keeping.
/// </remarks>
internal sealed class RestrictedLp : IDisposable
{
    private readonly ReducedProblem _problem;
    private readonly Solver _solver;
    private readonly Objective _objective;
    private readonly Constraint[] _demand;
    private readonly Variable?[] _nodes;
    private readonly Constraint[]?[] _rows;
    private readonly Variable?[]?[] _pairs;
    private readonly Variable[] _alone;
    private readonly MPSolverParameters _parameters = new();

    private RestrictedLp(ReducedProblem problem, Solver solver, ColumnPool pool)
    {
        _problem = problem;
        _solver = solver;
        _objective = solver.Objective();
        _objective.SetMinimization();
        _demand = new Constraint[problem.GroupCount];
        _alone = new Variable[problem.GroupCount];
        for (var g = 0; g < problem.GroupCount; g++)
        {
            _demand[g] = solver.MakeConstraint(problem.Demand[g], double.PositiveInfinity, string.Empty);
            _alone[g] = solver.MakeNumVar(0, double.PositiveInfinity, string.Empty);
            _objective.SetCoefficient(_alone[g], problem.AloneCostPerPod[g]);
            _demand[g].SetCoefficient(_alone[g], 1);
        }

        _nodes = new Variable?[problem.ShapeCount];
        _rows = new Constraint[problem.ShapeCount][];
        _pairs = new Variable[problem.ShapeCount][];
        foreach (var (s, k) in pool.Pairs)
        {
            AddPair(s, k, problem.CapRows[s][k] && pool.IsCapped(problem.ShapeGroups[s][k]));
        }
    }

    public int ShapeCount { get; private set; }

    /// <summary>A model over the pool's pairs; null when the GLOP backend cannot be loaded in this process.</summary>
    public static RestrictedLp? TryCreate(ReducedProblem problem, ColumnPool pool)
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

        return solver is null ? null : new RestrictedLp(problem, solver, pool);
    }

    public bool HasShape(int s) => _nodes[s] is not null;

    public bool HasPair(int s, int k) => _pairs[s]?[k] is not null;

    /// <summary>Solves; true when GLOP reports an optimal solution.</summary>
    public bool Solve()
    {
        // These models are small and already tidy; GLOP's presolve costs more than it saves on them (measured).
        _parameters.SetIntegerParam(MPSolverParameters.IntegerParam.PRESOLVE, (int)MPSolverParameters.PresolveValues.PRESOLVE_OFF);
        return _solver.Solve(_parameters) == Solver.ResultStatus.OPTIMAL;
    }

    public double Objective => _objective.Value();

    /// <summary>Demand duals, clamped at zero (they are ≥ 0 up to tolerance).</summary>
    public void ReadDemandDuals(double[] duals)
    {
        for (var g = 0; g < _demand.Length; g++)
        {
            duals[g] = Math.Max(0, _demand[g].DualValue());
        }
    }

    /// <summary>GLOP's duals of shape <paramref name="s"/>'s resource rows (≤ 0 for these ≤ rows).</summary>
    public void ReadRowDuals(int s, double[] rowDuals)
    {
        var rows = _rows[s]!;
        for (var j = 0; j < rows.Length; j++)
        {
            rowDuals[j] = rows[j].DualValue();
        }
    }

    /// <summary>Fractional nodes of each shape in the solution, u_g included, into <paramref name="nodes"/> (by reduced shape).</summary>
    public void ReadNodes(double[] nodes)
    {
        for (var s = 0; s < nodes.Length; s++)
        {
            nodes[s] = _nodes[s] is { } x ? Math.Max(0, x.SolutionValue()) : 0;
        }

        for (var g = 0; g < _alone.Length; g++)
        {
            nodes[_problem.AloneShape[g]] += Math.Max(0, _alone[g].SolutionValue()) / _problem.AloneBound[g];
        }
    }

    /// <summary>x_s alone (without the u_g nodes).</summary>
    public double NodeVariable(int s) => _nodes[s] is { } x ? Math.Max(0, x.SolutionValue()) : 0;

    public double Pods(int s, int k) => _pairs[s]?[k] is { } y ? Math.Max(0, y.SolutionValue()) : 0;

    /// <summary>u_g: pods of group <paramref name="g"/> on nodes of its own (its alone shape).</summary>
    public double Alone(int g) => Math.Max(0, _alone[g].SolutionValue());

    public void Dispose()
    {
        _parameters.Dispose();
        _solver.Dispose();
    }

    private void AddPair(int s, int k, bool capped)
    {
        var x = _nodes[s];
        if (x is null)
        {
            x = _solver.MakeNumVar(0, double.PositiveInfinity, string.Empty);
            _nodes[s] = x;
            _objective.SetCoefficient(x, _problem.Price[s]);
            var shapeRows = new Constraint[_problem.ShapeRows[s].Length];
            for (var j = 0; j < shapeRows.Length; j++)
            {
                shapeRows[j] = _solver.MakeConstraint(double.NegativeInfinity, 0, string.Empty);
                shapeRows[j].SetCoefficient(x, -1);
            }

            _rows[s] = shapeRows;
            _pairs[s] = new Variable[_problem.ShapeGroups[s].Length];
            ShapeCount++;
        }

        var g = _problem.ShapeGroups[s][k];
        var y = _solver.MakeNumVar(0, double.PositiveInfinity, string.Empty);
        _pairs[s]![k] = y;
        _demand[g].SetCoefficient(y, 1);
        var rows = _rows[s]!;
        var coefficients = _problem.Coefficients[s];
        for (var j = 0; j < rows.Length; j++)
        {
            var a = coefficients[(k * rows.Length) + j];
            if (a > 0)
            {
                rows[j].SetCoefficient(y, a);
            }
        }

        if (capped)
        {
            var cap = _solver.MakeConstraint(double.NegativeInfinity, 0, string.Empty);
            cap.SetCoefficient(y, 1 / _problem.Cap[g]);
            cap.SetCoefficient(x, -1);
        }
    }
}
