using System.Diagnostics.Metrics;
using Karpenter.Orleans.Grains.Telemetry;

namespace Karpenter.Orleans.Service.Tests.Aws;

/// <summary>Counts karpenter_cloudprovider_errors_total of one cluster by its error label (other tests share the instrument).</summary>
internal sealed class CloudProviderErrorCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<(string Provider, string Error), long> _counts = [];
    private readonly Lock _lock = new();

    public CloudProviderErrorCounter(string clusterId)
    {
        var name = KarpoTelemetry.Strip(MetricNames.CloudProviderErrors);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == KarpoTelemetry.Name && instrument.Name == name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? cluster = null, provider = null, error = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "cluster": cluster = tag.Value as string; break;
                    case "provider": provider = tag.Value as string; break;
                    case "error": error = tag.Value as string; break;
                }
            }

            if (cluster == clusterId && provider is not null && error is not null)
            {
                lock (_lock)
                {
                    _counts[(provider, error)] = _counts.GetValueOrDefault((provider, error)) + value;
                }
            }
        });
        _listener.Start();
    }

    /// <summary>The series counted, as (provider, error) → value.</summary>
    public IReadOnlyDictionary<(string Provider, string Error), long> Counts
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<(string Provider, string Error), long>(_counts);
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
