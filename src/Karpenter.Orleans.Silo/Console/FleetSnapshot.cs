using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Silo.Console;

/// <summary>
/// The fleet as this silo last read it, kept up to date in the background by <see cref="FleetSnapshotRefresher"/>:
/// per registered cluster its last good answer and its age. The fleet pages read it instead of asking a hundred
/// clusters per request, so a page never waits on the slowest cluster; it says how old each cluster's part is and
/// marks the clusters that did not answer. Each silo keeps its own (nothing is stored).
/// </summary>
internal sealed class FleetSnapshot
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _firstRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Dictionary<string, ClusterReading> _clusters = new(StringComparer.Ordinal);
    private IReadOnlyList<ClusterReading> _ordered = [];
    private FleetCost? _cost;

    /// <summary>Every registered cluster's reading, by cluster id (an immutable list: a page renders one consistent view).</summary>
    public IReadOnlyList<ClusterReading> Clusters => Volatile.Read(ref _ordered);

    /// <summary>The fleet's cost and committed spend against its cap, as last read; null before the first read.</summary>
    public FleetCost? Cost => Volatile.Read(ref _cost);

    /// <summary>Whether the whole fleet has been read once since the silo started.</summary>
    public bool IsRead => _firstRead.Task.IsCompleted;

    /// <summary>The reading of one cluster, null for a cluster the snapshot does not know (yet).</summary>
    public ClusterReading? Of(string clusterId)
    {
        lock (_gate)
        {
            return _clusters.GetValueOrDefault(clusterId);
        }
    }

    /// <summary>Waits, at most <paramref name="wait"/>, for the first read of the fleet (a page asked right after the silo started).</summary>
    public async Task WhenReadAsync(TimeSpan wait, TimeProvider time)
    {
        try
        {
            await _firstRead.Task.WaitAsync(wait, time);
        }
        catch (TimeoutException)
        {
            // The page shows what there is, each cluster marked as not read yet.
        }
    }

    /// <summary>Follows the registrations: new clusters appear unread, removed ones are forgotten.</summary>
    public void SetRegistrations(IReadOnlyList<RegisteredCluster> registered)
    {
        lock (_gate)
        {
            var next = new Dictionary<string, ClusterReading>(registered.Count, StringComparer.Ordinal);
            foreach (var r in registered)
            {
                var id = r.Registration.ClusterId;
                next[id] = _clusters.TryGetValue(id, out var known) ? known with { Registration = r } : new ClusterReading(r, null, null, null);
            }

            _clusters = next;
            Publish();
        }
    }

    /// <summary>A cluster answered: its reading becomes this answer, fresh as of <paramref name="at"/>.</summary>
    public void Answered(string clusterId, ClusterAnswer answer, DateTimeOffset at) =>
        Update(clusterId, r => r with { Answer = answer, AsOf = at, Problem = null });

    /// <summary>A cluster's read failed or timed out: it keeps its last answer and is marked stale with <paramref name="problem"/>.</summary>
    public void Failed(string clusterId, string problem) => Update(clusterId, r => r with { Problem = problem });

    public void SetCost(FleetCost cost) => Volatile.Write(ref _cost, cost);

    /// <summary>The first read of the whole fleet has ended (pages waiting for it go on).</summary>
    public void MarkRead() => _firstRead.TrySetResult();

    private void Update(string clusterId, Func<ClusterReading, ClusterReading> change)
    {
        lock (_gate)
        {
            // A cluster removed while its read was under way stays removed.
            if (_clusters.TryGetValue(clusterId, out var reading))
            {
                _clusters[clusterId] = change(reading);
                Publish();
            }
        }
    }

    private void Publish() =>
        Volatile.Write(ref _ordered, [.. _clusters.Values.OrderBy(c => c.ClusterId, StringComparer.Ordinal)]);
}
