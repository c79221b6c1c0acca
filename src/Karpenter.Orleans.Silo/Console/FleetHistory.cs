using System.Collections.Concurrent;

namespace Karpenter.Orleans.Silo.Console;

/// <summary>
/// What the console's charts draw: the fleet's and each cluster's cost and node count, sampled by
/// <see cref="FleetHistorySampler"/>. Kept in memory on each silo for <see cref="ConsoleOptions.HistoryLength"/>;
/// a restarted silo starts its charts afresh (the fleet's state itself is in the grains).
/// </summary>
internal sealed class FleetHistory(TimeProvider time, Microsoft.Extensions.Options.IOptions<ConsoleOptions> options)
{
    /// <summary>The key of the fleet's own series.</summary>
    public const string Fleet = "";

    private readonly ConcurrentDictionary<string, Queue<FleetSample>> _series = new(StringComparer.Ordinal);

    public void Record(string cluster, double pricePerHour, int nodes, int pendingPods)
    {
        var now = time.GetUtcNow();
        var queue = _series.GetOrAdd(cluster, _ => new Queue<FleetSample>());
        lock (queue)
        {
            queue.Enqueue(new FleetSample(now, pricePerHour, nodes, pendingPods));
            while (queue.Count > 0 && now - queue.Peek().At > options.Value.HistoryLength)
            {
                queue.Dequeue();
            }
        }
    }

    /// <summary>The samples of <paramref name="cluster"/> (or <see cref="Fleet"/>), oldest first.</summary>
    public IReadOnlyList<FleetSample> Of(string cluster)
    {
        if (!_series.TryGetValue(cluster, out var queue))
        {
            return [];
        }

        lock (queue)
        {
            return [.. queue];
        }
    }

    /// <summary>Forgets clusters that are no longer registered.</summary>
    public void Retain(IReadOnlySet<string> clusters)
    {
        foreach (var key in _series.Keys.Where(k => k != Fleet && !clusters.Contains(k)))
        {
            _series.TryRemove(key, out _);
        }
    }
}
