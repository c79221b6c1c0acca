using System.Diagnostics.Metrics;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Grains.Telemetry;

/// <summary>
/// Karpenter's instance type and offering series for one provider region, as every cluster there sees the
/// catalog now (offerings out of capacity or avoided for interruptions count as unavailable). One scope per
/// region, replaced whenever the region's catalog is rebuilt.
/// </summary>
internal static class InstanceTypeSeries
{
    public static void Publish(string provider, string region, InstanceTypeCatalog catalog)
    {
        var cpu = new List<Measurement<double>>(catalog.InstanceTypes.Count);
        var memory = new List<Measurement<double>>(catalog.InstanceTypes.Count);
        var available = new List<Measurement<double>>();
        var price = new List<Measurement<double>>();
        foreach (var type in catalog.InstanceTypes)
        {
            KeyValuePair<string, object?>[] typeTags = [new("provider", provider), new("region", region), new("instance_type", type.Name)];
            cpu.Add(new Measurement<double>(type.Capacity.MilliCpu / 1000.0, typeTags));
            memory.Add(new Measurement<double>(type.Capacity.Memory, typeTags));
            foreach (var o in type.Offerings)
            {
                KeyValuePair<string, object?>[] offeringTags =
                [
                    new("provider", provider), new("region", region), new("instance_type", type.Name),
                    new("capacity_type", o.CapacityType), new("zone", o.Zone),
                ];
                available.Add(new Measurement<double>(o.Available ? 1 : 0, offeringTags));
                price.Add(new Measurement<double>(o.Price, offeringTags));
            }
        }

        var scope = $"{provider}/{region}";
        KarpoTelemetry.Gauges.Publish(MetricNames.InstanceTypeCpuCores, scope, cpu);
        KarpoTelemetry.Gauges.Publish(MetricNames.InstanceTypeMemoryBytes, scope, memory);
        KarpoTelemetry.Gauges.Publish(MetricNames.InstanceTypeOfferingAvailable, scope, available);
        KarpoTelemetry.Gauges.Publish(MetricNames.InstanceTypeOfferingPriceEstimate, scope, price);
    }
}
