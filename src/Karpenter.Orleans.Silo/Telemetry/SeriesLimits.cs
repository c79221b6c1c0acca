using Karpenter.Orleans.Grains.Telemetry;

namespace Karpenter.Orleans.Silo.Telemetry;

/// <summary>
/// How many series the per-node, per-pod and per-offering families may have on one silo
/// (<c>Karpo:Telemetry:SeriesLimit:Nodes|Pods|Offerings</c>). OpenTelemetry caps every metric at 2,000
/// series and reserves memory for the cap up front, so the big families get caps sized for a large fleet
/// and the rest keep the default. Past a cap, new series are counted under <c>otel_metric_overflow="true"</c>.
/// </summary>
internal sealed class SeriesLimits
{
    /// <summary>Per-node families: each node has one series per resource (cpu, memory, pods, storage, and any GPU).</summary>
    public int Nodes { get; set; } = 25_000;

    /// <summary><c>karpenter_pods_state</c>: one series per pod.</summary>
    public int Pods { get; set; } = 50_000;

    /// <summary>Offering families: one series per type, zone and capacity type in each region clusters use.</summary>
    public int Offerings { get; set; } = 40_000;

    /// <summary>The limit of each large family.</summary>
    public IEnumerable<(string Instrument, int Limit)> ByInstrument()
    {
        foreach (var name in new[] { MetricNames.NodesAllocatable, MetricNames.NodesSystemOverhead, MetricNames.NodesTotalPodRequests, MetricNames.NodesTotalDaemonRequests })
        {
            yield return (name, Nodes);
        }

        yield return (MetricNames.PodsState, Pods);
        foreach (var name in new[] { MetricNames.InstanceTypeOfferingAvailable, MetricNames.InstanceTypeOfferingPriceEstimate })
        {
            yield return (name, Offerings);
        }

        // Types per region, a few thousand at most, but over the default once two regions are in use.
        foreach (var name in new[] { MetricNames.InstanceTypeCpuCores, MetricNames.InstanceTypeMemoryBytes })
        {
            yield return (name, Math.Max(2_000, Offerings / 4));
        }
    }
}
