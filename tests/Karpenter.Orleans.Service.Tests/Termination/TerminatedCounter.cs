using System.Diagnostics.Metrics;
using Karpenter.Orleans.Grains.Telemetry;

namespace Karpenter.Orleans.Service.Tests.Termination;

/// <summary>Counts karpenter_nodeclaims_terminated_total for one cluster (other tests share the instrument, so it filters by cluster).</summary>
internal sealed class TerminatedCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public TerminatedCounter(string clusterId, string metric = MetricNames.NodeClaimsTerminated)
    {
        var name = KarpoTelemetry.Strip(metric);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == KarpoTelemetry.Name && instrument.Name == name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "cluster" && tag.Value as string == clusterId)
                {
                    Interlocked.Add(ref _count, value);
                }
            }
        });
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
