using System.Collections.Concurrent;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>
/// The instance types of a region as every cluster there should see them now: the provider's catalog
/// with offerings that just ran out of capacity (any cluster's report) and spot pools interrupted too
/// often marked unavailable. Shared per silo and rebuilt only when one of those inputs changes, so the
/// solver's per-catalog caches stay warm. Each rebuild also publishes the region's instance type and offering metrics.
/// </summary>
public sealed class RegionCatalogs(ICloudProviders providers)
{
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);

    public async Task<InstanceTypeCatalog> GetAsync(string provider, string region, OfferingAvailability availability, IReadOnlySet<string> avoidedSpotPools)
    {
        ArgumentNullException.ThrowIfNull(availability);
        ArgumentNullException.ThrowIfNull(avoidedSpotPools);
        InstanceTypeCatalog source;
        // The provisioner and the disruption planner both read catalogs here; a caller that named itself keeps its name.
        using (CloudProviderMetrics.CurrentController == CloudProviderMetrics.UnknownController ? CloudProviderMetrics.Caller("provisioner") : null)
        {
            source = await providers.Get(provider).GetInstanceTypesAsync(region);
        }

        var avoidKey = string.Join(',', avoidedSpotPools.Order(StringComparer.Ordinal));
        var key = $"{provider}/{region}";
        if (_cache.TryGetValue(key, out var hit) && ReferenceEquals(hit.Source, source) && hit.Version == availability.Version && hit.AvoidKey == avoidKey)
        {
            return hit.Catalog;
        }

        var unavailable = availability.Unavailable.Select(u => u.Offering.ToString()).ToHashSet(StringComparer.Ordinal);
        var types = new List<InstanceType>(source.InstanceTypes.Count);
        foreach (var type in source.InstanceTypes)
        {
            var changed = false;
            var offerings = new List<Offering>(type.Offerings.Count);
            foreach (var o in type.Offerings)
            {
                var blocked = unavailable.Contains($"{type.Name}/{o.Zone}/{o.CapacityType}") ||
                              (o.CapacityType == CapacityTypes.Spot && avoidedSpotPools.Contains($"{type.Name}/{o.Zone}"));
                if (blocked && o.Available)
                {
                    offerings.Add(o with { Available = false });
                    changed = true;
                }
                else
                {
                    offerings.Add(o);
                }
            }

            types.Add(changed ? new InstanceType(type.Name, type.Labels, type.Capacity, type.Allocatable, offerings) : type);
        }

        var catalog = new InstanceTypeCatalog(source.Zones, types, source.Region ?? region);
        _cache[key] = new Entry(source, availability.Version, avoidKey, catalog);
        InstanceTypeSeries.Publish(provider, region, catalog);
        return catalog;
    }

    private sealed record Entry(InstanceTypeCatalog Source, long Version, string AvoidKey, InstanceTypeCatalog Catalog);
}
