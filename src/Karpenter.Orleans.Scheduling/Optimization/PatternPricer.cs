namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>
/// Prices one shape against the demand duals: max Σ_j c_j·y_j subject to Σ_j A[i, j]·y_j ≤ 1 for each of the
/// shape's few resource rows and 0 ≤ y_j ≤ u_j. The optimum is the best pod mix one node of the shape can
/// carry. A bounded-variable primal simplex with an explicit basis inverse: the row count is the number of
/// resources (usually 3 or 4), so this costs microseconds where a GLOP model per shape would cost milliseconds.
/// </summary>
internal sealed class PatternPricer
{
    private const double CostTolerance = 1e-11;
    private const double PivotTolerance = 1e-9;

    private int _rows;
    private int _cols;
    private double[] _a = [];          // column-major: _a[j * _rows + i]
    private double[] _c = [];
    private double[] _upper = [];
    private bool[] _atUpper = [];
    private int[] _position = [];      // row of a basic column, -1 when nonbasic
    private double[] _reduced = [];
    private int[] _order = [];
    private int[] _basis = [];         // j < _cols: structural; j >= _cols: slack of row j - _cols
    private double[] _binv = [];       // row-major _rows x _rows
    private double[] _xb = [];
    private double[] _duals = [];
    private double[] _alpha = [];
    private readonly Comparer<int> _byReducedCost;

    public PatternPricer()
    {
        _byReducedCost = Comparer<int>.Create((x, y) =>
        {
            var c = Math.Abs(_reduced[y]).CompareTo(Math.Abs(_reduced[x]));
            return c != 0 ? c : x.CompareTo(y);
        });
    }

    /// <summary>Dual prices of the resource rows at the last solve (all ≥ 0).</summary>
    public ReadOnlySpan<double> Duals => _duals.AsSpan(0, _rows);

    /// <summary>Starts a problem with <paramref name="rows"/> resource rows and room for <paramref name="maxCols"/> columns.</summary>
    public void Reset(int rows, int maxCols)
    {
        _rows = rows;
        _cols = 0;
        if (_a.Length < rows * maxCols)
        {
            _a = new double[rows * maxCols];
        }

        if (_c.Length < maxCols + rows)
        {
            var n = maxCols + rows;
            _c = new double[n];
            _upper = new double[n];
            _atUpper = new bool[n];
            _position = new int[n];
            _reduced = new double[n];
            _order = new int[n];
        }

        if (_basis.Length < rows)
        {
            _basis = new int[rows];
            _xb = new double[rows];
            _duals = new double[rows];
            _alpha = new double[rows];
        }

        if (_binv.Length < rows * rows)
        {
            _binv = new double[rows * rows];
        }
    }

    /// <summary>Adds column y_j; <paramref name="coefficients"/> has one entry per row.</summary>
    public void AddColumn(double cost, double upper, ReadOnlySpan<double> coefficients)
    {
        var j = _cols++;
        _c[j] = cost;
        _upper[j] = upper;
        _atUpper[j] = false;
        coefficients[.._rows].CopyTo(_a.AsSpan(j * _rows, _rows));
    }

    /// <summary>
    /// Solves and returns the primal value (one node really reaches it) and, through
    /// <paramref name="certifiedUpperBound"/>, a weak-duality bound from the final duals that holds whatever
    /// the rounding: Σ_i w_i + Σ_j u_j·max(0, c_j − Σ_i A[i, j]·w_i).
    /// </summary>
    public double Solve(out double certifiedUpperBound)
    {
        var m = _rows;
        var n = _cols;
        Array.Fill(_position, -1, 0, n + m);
        Array.Fill(_atUpper, false, n, m);
        for (var i = 0; i < m; i++)
        {
            _basis[i] = n + i;
            _position[n + i] = i;
            for (var k = 0; k < m; k++)
            {
                _binv[(i * m) + k] = i == k ? 1 : 0;
            }
        }

        var maxIterations = (20 * (n + m)) + 100;
        var degenerate = 0;
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            ComputeBasics();
            ComputeDuals();

            var count = 0;
            for (var j = 0; j < n + m; j++)
            {
                if (_position[j] >= 0)
                {
                    continue;
                }

                var d = j < n ? ReducedCost(j) : -_duals[j - n];
                _reduced[j] = d;
                if (_atUpper[j] ? d < -CostTolerance : d > CostTolerance)
                {
                    _order[count++] = j;
                }
            }

            if (count == 0)
            {
                break;
            }

            // Dantzig order; Bland's (lowest index) after a run of degenerate pivots so cycling cannot stall us.
            var bland = degenerate > 2 * (m + 2);
            if (!bland)
            {
                Array.Sort(_order, 0, count, _byReducedCost);
            }

            // With the basis fixed the duals are too, so every bound flip in this list is an improving step;
            // only a real pivot sends us back to recompute.
            for (var c = 0; c < count; c++)
            {
                var entering = _order[c];
                if (Step(entering, bland, ref degenerate))
                {
                    break;
                }
            }
        }

        ComputeBasics();
        ComputeDuals();

        var value = 0.0;
        for (var j = 0; j < n; j++)
        {
            value += _c[j] * Amount(j);
        }

        var bound = 0.0;
        for (var i = 0; i < m; i++)
        {
            _duals[i] = Math.Max(0, _duals[i]);
            bound += _duals[i];
        }

        for (var j = 0; j < n; j++)
        {
            var d = ReducedCost(j);
            if (d > 0)
            {
                bound += _upper[j] * d;
            }
        }

        certifiedUpperBound = Math.Max(bound, value);
        return value;
    }

    /// <summary>y_j at the last solve, within its bounds.</summary>
    public double Amount(int j) =>
        _position[j] >= 0 ? Math.Clamp(_xb[_position[j]], 0, _upper[j]) : _atUpper[j] ? _upper[j] : 0;

    // One simplex step with the given entering column; true when the basis changed.
    private bool Step(int entering, bool bland, ref int degenerate)
    {
        var m = _rows;
        var n = _cols;
        var increase = !_atUpper[entering];

        // alpha = B^-1 · column(entering); basics move by -dir·t·alpha.
        for (var i = 0; i < m; i++)
        {
            double v;
            if (entering < n)
            {
                v = 0;
                var col = entering * m;
                for (var k = 0; k < m; k++)
                {
                    v += _binv[(i * m) + k] * _a[col + k];
                }
            }
            else
            {
                v = _binv[(i * m) + (entering - n)];
            }

            _alpha[i] = v;
        }

        var dir = increase ? 1.0 : -1.0;
        var step = entering < n ? _upper[entering] : double.PositiveInfinity;
        var leaving = -1;
        var leavesAtUpper = false;
        for (var i = 0; i < m; i++)
        {
            var delta = -dir * _alpha[i];
            double limit;
            bool toUpper;
            if (delta < -PivotTolerance)
            {
                limit = Math.Max(0, _xb[i]) / -delta;
                toUpper = false;
            }
            else if (delta > PivotTolerance && _basis[i] < n)
            {
                limit = Math.Max(0, _upper[_basis[i]] - _xb[i]) / delta;
                toUpper = true;
            }
            else
            {
                continue;
            }

            if (limit < step || (bland && leaving >= 0 && limit == step && _basis[i] < _basis[leaving]))
            {
                step = limit;
                leaving = i;
                leavesAtUpper = toUpper;
            }
        }

        if (double.IsPositiveInfinity(step))
        {
            // Cannot happen (the region is bounded); skip the column rather than loop on it.
            return false;
        }

        for (var i = 0; i < m; i++)
        {
            _xb[i] -= dir * step * _alpha[i];
        }

        if (leaving < 0)
        {
            // Bound flip: the entering column goes straight to its other bound; the basis stays.
            _atUpper[entering] = increase;
            return false;
        }

        degenerate = step <= 1e-12 ? degenerate + 1 : 0;
        var leavingVar = _basis[leaving];
        _position[leavingVar] = -1;
        _atUpper[leavingVar] = leavesAtUpper;
        _atUpper[entering] = false;
        _basis[leaving] = entering;
        _position[entering] = leaving;

        var pivot = _alpha[leaving];
        for (var k = 0; k < m; k++)
        {
            _binv[(leaving * m) + k] /= pivot;
        }

        for (var i = 0; i < m; i++)
        {
            var f = _alpha[i];
            if (i == leaving || f == 0)
            {
                continue;
            }

            for (var k = 0; k < m; k++)
            {
                _binv[(i * m) + k] -= f * _binv[(leaving * m) + k];
            }
        }

        return true;
    }

    private double ReducedCost(int j)
    {
        var d = _c[j];
        var col = j * _rows;
        for (var i = 0; i < _rows; i++)
        {
            d -= _duals[i] * _a[col + i];
        }

        return d;
    }

    // x_B = B^-1 (1 − Σ_{j at upper} A_j u_j), recomputed each pass so rounding never accumulates.
    private void ComputeBasics()
    {
        var m = _rows;
        Span<double> rhs = stackalloc double[m];
        rhs.Fill(1);
        for (var j = 0; j < _cols; j++)
        {
            if (_atUpper[j])
            {
                var col = j * m;
                for (var i = 0; i < m; i++)
                {
                    rhs[i] -= _a[col + i] * _upper[j];
                }
            }
        }

        for (var i = 0; i < m; i++)
        {
            var v = 0.0;
            for (var k = 0; k < m; k++)
            {
                v += _binv[(i * m) + k] * rhs[k];
            }

            _xb[i] = v;
        }
    }

    // w = c_B^T B^-1 (slacks cost nothing).
    private void ComputeDuals()
    {
        var m = _rows;
        for (var k = 0; k < m; k++)
        {
            var v = 0.0;
            for (var i = 0; i < m; i++)
            {
                var b = _basis[i];
                if (b < _cols)
                {
                    v += _c[b] * _binv[(i * m) + k];
                }
            }

            _duals[k] = v;
        }
    }
}
