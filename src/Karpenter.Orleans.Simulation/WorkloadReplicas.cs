namespace Karpenter.Orleans.Simulation;

/// <summary>
/// The workloads a simulated cluster keeps and how many replicas each wants: the count it is pinned to, else
/// its curve at that moment. Shared by both simulated clusters; locked, because tests and admin calls change
/// workloads while a tick reads them.
/// </summary>
internal sealed class WorkloadReplicas(string clusterId, DateTimeOffset start, SimulatedClusterSettings settings)
{
    private readonly Lock _sync = new();
    private readonly List<SimulatedWorkload> _workloads = [];
    private readonly Dictionary<string, int> _pinned = new(StringComparer.Ordinal);

    public IReadOnlyList<SimulatedWorkload> All
    {
        get
        {
            lock (_sync)
            {
                return [.. _workloads];
            }
        }
    }

    public int Desired(string workload, DateTimeOffset now)
    {
        lock (_sync)
        {
            return DesiredLocked(workload, now);
        }
    }

    /// <summary>Every workload with the replicas it wants at <paramref name="now"/>, read under one lock.</summary>
    public List<(SimulatedWorkload Workload, int Desired)> Targets(DateTimeOffset now)
    {
        lock (_sync)
        {
            return [.. _workloads.Select(w => (w, DesiredLocked(w.Name, now)))];
        }
    }

    public void Pin(string workload, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(replicas);
        lock (_sync)
        {
            if (!_workloads.Any(w => w.Name == workload))
            {
                throw new ArgumentException($"cluster {clusterId} has no workload '{workload}'", nameof(workload));
            }

            _pinned[workload] = replicas;
        }
    }

    public void Unpin(string workload)
    {
        lock (_sync)
        {
            _pinned.Remove(workload);
        }
    }

    /// <summary>Adds a workload, or replaces the one of its name (and drops that one's pin).</summary>
    public void Add(SimulatedWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(workload.PodSpec);
        lock (_sync)
        {
            _workloads.RemoveAll(w => w.Name == workload.Name);
            _pinned.Remove(workload.Name);
            _workloads.Add(workload);
        }
    }

    public void Clear()
    {
        lock (_sync)
        {
            _workloads.Clear();
            _pinned.Clear();
        }
    }

    private int DesiredLocked(string workload, DateTimeOffset now)
    {
        if (_pinned.TryGetValue(workload, out var pinned))
        {
            return pinned;
        }

        var w = _workloads.FirstOrDefault(x => x.Name == workload);
        return w is null ? 0 : WorkloadCurve.Replicas(w, now - start, settings.WorkloadPeriod, settings.Phase, settings.Scale);
    }
}
