using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Karpenter.Orleans.Grains.Telemetry;

/// <summary>
/// Gauge values grains publish and observable gauges read; a series disappears when removed. Besides single
/// series, a grain can publish a whole scope at once (a cluster's per-node series, a region's offerings):
/// the new set replaces the old one, so series of nodes that went away vanish without bookkeeping.
/// </summary>
public sealed class GaugeStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, (double Value, KeyValuePair<string, object?>[] Tags)>> _series = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, IReadOnlyList<Measurement<double>>>> _scoped = new(StringComparer.Ordinal);

    /// <summary>Replaces every series of <paramref name="metric"/> published under <paramref name="scope"/>.</summary>
    public void Publish(string metric, string scope, IReadOnlyList<Measurement<double>> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        _scoped.GetOrAdd(metric, _ => new(StringComparer.Ordinal))[scope] = series;
    }

    /// <summary>Removes what <paramref name="scope"/> published, for every metric.</summary>
    public void RemoveScope(string scope)
    {
        foreach (var byScope in _scoped.Values)
        {
            byScope.TryRemove(scope, out _);
        }
    }

    /// <summary>The series <paramref name="scope"/> published for <paramref name="metric"/> (empty when none).</summary>
    public IReadOnlyList<Measurement<double>> Published(string metric, string scope) =>
        _scoped.TryGetValue(metric, out var byScope) && byScope.TryGetValue(scope, out var series) ? series : [];

    public void Set(string metric, double value, params KeyValuePair<string, object?>[] tags)
    {
        var key = Key(tags);
        _series.GetOrAdd(metric, _ => new(StringComparer.Ordinal))[key] = (value, tags);
    }

    public void Remove(string metric, params KeyValuePair<string, object?>[] tags)
    {
        var key = Key(tags);
        if (_series.TryGetValue(metric, out var series))
        {
            series.TryRemove(key, out _);
        }
    }

    /// <summary>Removes every series of <paramref name="metric"/> whose labels include <paramref name="tag"/>.</summary>
    public void RemoveWhere(string metric, KeyValuePair<string, object?> tag)
    {
        if (_series.TryGetValue(metric, out var series))
        {
            foreach (var (key, value) in series)
            {
                if (value.Tags.Any(t => t.Key == tag.Key && Equals(t.Value, tag.Value)))
                {
                    series.TryRemove(key, out _);
                }
            }
        }
    }

    public double? Get(string metric, params KeyValuePair<string, object?>[] tags)
    {
        var key = Key(tags);
        return _series.TryGetValue(metric, out var series) && series.TryGetValue(key, out var v) ? v.Value : null;
    }

    private static string Key(KeyValuePair<string, object?>[] tags) => string.Join('\u001f', tags.Select(t => $"{t.Key}={t.Value}"));

    internal IEnumerable<Measurement<double>> Read(string metric)
    {
        var list = _series.TryGetValue(metric, out var series)
            ? series.Values.Select(v => new Measurement<double>(v.Value, v.Tags)).ToList()
            : [];
        if (_scoped.TryGetValue(metric, out var byScope))
        {
            foreach (var scoped in byScope.Values)
            {
                list.AddRange(scoped);
            }
        }

        return list;
    }
}
