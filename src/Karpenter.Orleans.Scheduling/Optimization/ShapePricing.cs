namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>
/// The pricing step of column generation: how much one node of a shape is worth at the demand duals
/// (max Σ_g π_g·y_g over what one node can hold). Remembers each shape's resource duals from its last exact
/// pricing: by weak duality they bound the shape's value at any later duals, which usually settles a shape
/// without running the simplex again.
/// </summary>
internal sealed class ShapePricing
{
    private readonly ReducedProblem _problem;
    private readonly PatternPricer _pricer = new();
    private readonly double[]?[] _lastDuals;
    private int[] _columnGroup = [];
    private int _columns;

    public ShapePricing(ReducedProblem problem)
    {
        _problem = problem;
        _lastDuals = new double[problem.ShapeCount][];
    }

    /// <summary>
    /// Returns a value one node of shape <paramref name="s"/> reaches and, in <paramref name="upper"/>, one it
    /// cannot exceed. When the remembered duals already show the value is at most <paramref name="threshold"/>,
    /// both are that bound and the simplex is skipped.
    /// </summary>
    public double Price(int s, double[] groupDuals, double threshold, out double upper)
    {
        if (_lastDuals[s] is { } remembered)
        {
            upper = Certify(s, groupDuals, remembered);
            if (upper <= threshold)
            {
                return upper;
            }
        }

        var groups = _problem.ShapeGroups[s];
        var rows = _problem.ShapeRows[s].Length;
        var coefficients = _problem.Coefficients[s];
        var bounds = _problem.Bounds[s];
        _pricer.Reset(rows, groups.Length);
        if (_columnGroup.Length < groups.Length)
        {
            _columnGroup = new int[groups.Length];
        }

        _columns = 0;
        for (var k = 0; k < groups.Length; k++)
        {
            var pi = groupDuals[groups[k]];
            if (pi > 0)
            {
                _pricer.AddColumn(pi, bounds[k], coefficients.AsSpan(k * rows, rows));
                _columnGroup[_columns++] = groups[k];
            }
        }

        var value = _pricer.Solve(out upper);
        _pricer.Duals.CopyTo(_lastDuals[s] ??= new double[rows]);
        return value;
    }

    /// <summary>Groups in the best pod mix of the last shape <see cref="Price"/> solved exactly.</summary>
    public int[] LastMixGroups()
    {
        var groups = new List<int>(_columns);
        for (var j = 0; j < _columns; j++)
        {
            if (_pricer.Amount(j) > 0)
            {
                groups.Add(_columnGroup[j]);
            }
        }

        return [.. groups];
    }

    // Weak duality for one node: Σ_r w_r + Σ_g bound_g·max(0, π_g − Σ_r a_gr·w_r) ≥ any value the node reaches.
    private double Certify(int s, double[] groupDuals, double[] resourceDuals)
    {
        var groups = _problem.ShapeGroups[s];
        var rows = resourceDuals.Length;
        var coefficients = _problem.Coefficients[s];
        var bounds = _problem.Bounds[s];
        var total = 0.0;
        for (var j = 0; j < rows; j++)
        {
            total += resourceDuals[j];
        }

        for (var k = 0; k < groups.Length; k++)
        {
            var d = groupDuals[groups[k]];
            if (d <= 0)
            {
                continue;
            }

            var at = k * rows;
            for (var j = 0; j < rows; j++)
            {
                d -= coefficients[at + j] * resourceDuals[j];
            }

            if (d > 0)
            {
                total += bounds[k] * d;
            }
        }

        return total;
    }
}
