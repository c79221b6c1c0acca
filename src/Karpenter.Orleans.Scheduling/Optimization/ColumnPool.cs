namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>
/// The (group, shape) pairs the next restricted LP holds. Pairs that carry no pods for a few rounds leave, so
/// the LP stays near the size of its optimal support (the next GLOP solve starts from scratch, and its cost
/// grows with the model).
/// </summary>
internal sealed class ColumnPool
{
    private readonly int[][] _idle;     // -1: not in the pool
    private readonly bool[] _capped;
    private readonly List<(int Shape, int Index)> _pairs = [];

    public ColumnPool(ReducedProblem problem)
    {
        _idle = new int[problem.ShapeCount][];
        _capped = new bool[problem.GroupCount];
        for (var s = 0; s < problem.ShapeCount; s++)
        {
            _idle[s] = new int[problem.ShapeGroups[s].Length];
            Array.Fill(_idle[s], -1);
        }
    }

    public int Count => _pairs.Count;

    /// <summary>Pairs in the order they joined, so models and results are deterministic.</summary>
    public IReadOnlyList<(int Shape, int Index)> Pairs => _pairs;

    /// <summary>Adds y for the <paramref name="k"/>-th usable group of shape <paramref name="s"/>; true when new.</summary>
    public bool Add(int s, int k)
    {
        var isNew = _idle[s][k] < 0;
        _idle[s][k] = 0;
        if (isNew)
        {
            _pairs.Add((s, k));
        }

        return isNew;
    }

    /// <summary>Whether group <paramref name="g"/>'s pairs get cap rows (once a solution broke its cap, for good).</summary>
    public bool IsCapped(int g) => _capped[g];

    public void Cap(int g) => _capped[g] = true;

    /// <summary>Used pairs reset their idle count; the others count up and leave after <paramref name="maxIdle"/> rounds.</summary>
    public void Age(Func<int, int, bool> used, int maxIdle)
    {
        _pairs.RemoveAll(p =>
        {
            var (s, k) = p;
            _idle[s][k] = used(s, k) ? 0 : _idle[s][k] + 1;
            if (_idle[s][k] > maxIdle)
            {
                _idle[s][k] = -1;
                return true;
            }

            return false;
        });
    }
}
