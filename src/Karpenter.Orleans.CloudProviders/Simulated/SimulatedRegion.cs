using System.Globalization;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>
/// One region of the simulated cloud: the catalog's types with zone i of the catalog renamed to the
/// region's zone i ("&lt;region&gt;a", "b", "c"), prices times the region's factor. Spot prices and
/// availability change with time and faults, so <see cref="Current"/> rebuilds the offerings on demand
/// and keeps the last result while nothing it depends on has changed.
/// </summary>
internal sealed class SimulatedRegion
{
    /// <summary>The vCPU count label of the AWS catalog.</summary>
    public const string CpuLabel = "karpenter.k8s.aws/instance-cpu";

    private static readonly string[] ZoneLetters = ["a", "b", "c"];

    private readonly Dictionary<string, Entry> _types;
    private readonly List<Entry> _ordered;
    private readonly Lock _cacheLock = new();
    private (long Hour, string Faults, InstanceTypeCatalog Catalog)? _cache;

    public SimulatedRegion(string name, InstanceTypeCatalog source, double priceFactor)
    {
        Name = name;
        Zones = [.. ZoneLetters.Select(l => name + l)];
        var rename = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < Zones.Count && source.Zones.Count > 0; i++)
        {
            // A catalog with fewer than three zones lends its zones to more than one region zone.
            var from = source.Zones[i % source.Zones.Count];
            rename.TryAdd(from, Zones[i]);
        }

        _ordered = [];
        foreach (var type in source.InstanceTypes)
        {
            var offerings = new List<BaseOffering>();
            for (var i = 0; i < Zones.Count && source.Zones.Count > 0; i++)
            {
                var from = source.Zones[i % source.Zones.Count];
                offerings.AddRange(type.Offerings
                    .Where(o => o.Zone == from)
                    .Select(o => new BaseOffering(Zones[i], o.CapacityType, SimulatedPricing.Round(o.Price * priceFactor))));
            }

            // The catalog's capacity is often only allocatable (a little under the machine), so the
            // instance-cpu label, when present, is the better count of what a quota charges.
            var vcpus = type.Labels.TryGetValue(CpuLabel, out var cpu) && int.TryParse(cpu, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : (int)Math.Ceiling(type.Capacity.MilliCpu / 1000.0);
            _ordered.Add(new Entry(type, vcpus, offerings));
        }

        _types = _ordered.ToDictionary(e => e.Type.Name, StringComparer.Ordinal);
    }

    public string Name { get; }

    public IReadOnlyList<string> Zones { get; }

    public bool HasZone(string zone) => Zones.Contains(zone, StringComparer.Ordinal);

    public Entry? Find(string instanceType) => _types.GetValueOrDefault(instanceType);

    /// <summary>The price of an offering at <paramref name="at"/>; spot follows the hourly rule, the rest is fixed.</summary>
    public static double PriceAt(string instanceType, BaseOffering offering, DateTimeOffset at) =>
        offering.CapacityType == CapacityTypes.Spot
            ? SimulatedPricing.SpotPrice(instanceType, offering.Zone, offering.BasePrice, at)
            : offering.BasePrice;

    /// <summary>The catalog at <paramref name="at"/>; <paramref name="unavailable"/> are the offerings out of capacity right now.</summary>
    public InstanceTypeCatalog Current(DateTimeOffset at, IReadOnlySet<OfferingKey> unavailable)
    {
        var hour = SimulatedPricing.Hour(at);
        var faults = string.Join(";", unavailable.Select(k => $"{k.InstanceType}/{k.Zone}/{k.CapacityType}").Order(StringComparer.Ordinal));
        lock (_cacheLock)
        {
            if (_cache is { } c && c.Hour == hour && c.Faults == faults)
            {
                return c.Catalog;
            }
        }

        var types = new List<InstanceType>(_ordered.Count);
        foreach (var e in _ordered)
        {
            var offerings = e.Offerings
                .Select(o => new Offering(
                    o.Zone,
                    o.CapacityType,
                    PriceAt(e.Type.Name, o, at),
                    !unavailable.Contains(new OfferingKey(e.Type.Name, o.Zone, o.CapacityType))))
                .ToList();
            types.Add(new InstanceType(e.Type.Name, e.Type.Labels, e.Type.Capacity, e.Type.Allocatable, offerings));
        }

        var catalog = new InstanceTypeCatalog(Zones, types, Name);
        lock (_cacheLock)
        {
            _cache = (hour, faults, catalog);
        }

        return catalog;
    }

    /// <summary>A type of the region with its vCPUs (what quotas count) and its offerings at base price.</summary>
    internal sealed record Entry(InstanceType Type, int Vcpus, IReadOnlyList<BaseOffering> Offerings)
    {
        public BaseOffering? Offering(string zone, string capacityType) =>
            Offerings.FirstOrDefault(o => o.Zone == zone && o.CapacityType == capacityType);
    }

    /// <summary>An offering before the hourly spot factor: the catalog price times the region factor.</summary>
    internal sealed record BaseOffering(string Zone, string CapacityType, double BasePrice);
}
