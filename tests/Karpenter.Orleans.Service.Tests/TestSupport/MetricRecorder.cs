using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Karpenter.Orleans.Grains.Telemetry;

namespace Karpenter.Orleans.Service.Tests.TestSupport;

/// <summary>
/// Listens to the service's meter as an exporter would: counter increments summed per label set, and the
/// latest value of each observable gauge per label set when <see cref="Gauge"/> is read. Only series of one
/// cluster (its <c>cluster</c> label) are kept, so tests running side by side do not see each other's.
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _cluster;
    private readonly ConcurrentDictionary<(string Name, string Labels), long> _counters = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), double> _gauges = new();

    public MetricRecorder(string cluster)
    {
        _cluster = cluster;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == KarpoTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (Labels(tags) is { } labels)
            {
                _counters.AddOrUpdate((instrument.Name, labels), value, (_, old) => old + value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument is ObservableGauge<double> && Labels(tags) is { } labels)
            {
                _gauges[(instrument.Name, labels)] = value;
            }
        });
        _listener.Start();
    }

    /// <summary>
    /// The counter's series (by exported name, e.g. <c>karpenter_voluntary_disruption_decisions_total</c>) as
    /// "key=value,..." label sets, sorted by key, without the cluster label, with their totals.
    /// </summary>
    public IReadOnlyDictionary<string, long> Counter(string exported)
    {
        var name = KarpoTelemetry.Strip(exported);
        return _counters.Where(c => c.Key.Name == name).ToDictionary(c => c.Key.Labels, c => c.Value, StringComparer.Ordinal);
    }

    /// <summary>The gauge's series as the exporter would read them now (label sets as in <see cref="Counter"/>).</summary>
    public IReadOnlyDictionary<string, double> Gauge(string exported)
    {
        _gauges.Clear();
        _listener.RecordObservableInstruments();
        return _gauges.Where(g => g.Key.Name == exported).ToDictionary(g => g.Key.Labels, g => g.Value, StringComparer.Ordinal);
    }

    public void Dispose() => _listener.Dispose();

    private string? Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var mine = false;
        var labels = new List<string>();
        foreach (var tag in tags)
        {
            if (tag.Key == "cluster")
            {
                mine = tag.Value as string == _cluster;
            }
            else
            {
                labels.Add($"{tag.Key}={tag.Value}");
            }
        }

        return mine ? string.Join(",", labels.Order(StringComparer.Ordinal)) : null;
    }
}
