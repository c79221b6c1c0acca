using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Karpenter.Orleans.Grains.Telemetry;

/// <summary>Gauge values grains publish and observable gauges read; a series disappears when removed.</summary>
public sealed class GaugeStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, (double Value, KeyValuePair<string, object?>[] Tags)>> _series = new(StringComparer.Ordinal);

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

    internal IEnumerable<Measurement<double>> Read(string metric) =>
        _series.TryGetValue(metric, out var series)
            ? series.Values.Select(v => new Measurement<double>(v.Value, v.Tags)).ToList()
            : [];
}
