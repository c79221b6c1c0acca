using System.Collections.Concurrent;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// The catalog indexed for the solver: which types satisfy a requirement set, as cached bitsets.
/// A type without a provider label (say instance-gpu-count) is treated as DoesNotExist for it;
/// labels no type defines (custom NodePool labels) never restrict types.
/// </summary>
internal sealed class CatalogIndex
{
    // Concurrent: packing strategies run in parallel over one index.
    private readonly ConcurrentDictionary<Requirement, TypeSet> _byRequirement = [];
    private readonly ConcurrentDictionary<(Requirement?, Requirement?), TypeSet> _byOffering = [];
    private readonly ConcurrentDictionary<RequirementSet, TypeSet> _bySet = [];
    private readonly ConcurrentDictionary<(Requirement?, Requirement?), double[]> _prices = [];
    private readonly HashSet<string> _typeLabelKeys = new(StringComparer.Ordinal);

    public CatalogIndex(InstanceTypeCatalog catalog)
    {
        Catalog = catalog;
        Types = [.. catalog.InstanceTypes];
        Allocatable = Types.Select(t => t.Allocatable).ToArray();
        Capacity = Types.Select(t => t.Capacity).ToArray();
        foreach (var t in Types)
        {
            _typeLabelKeys.UnionWith(t.Labels.Keys);
        }

        All = TypeSet.All(Types.Length);
    }

    public InstanceTypeCatalog Catalog { get; }

    public InstanceType[] Types { get; }

    public ResourceVector[] Allocatable { get; }

    public ResourceVector[] Capacity { get; }

    public TypeSet All { get; }

    public int Count => Types.Length;

    /// <summary>Types whose labels and available offerings can satisfy <paramref name="reqs"/>.</summary>
    public TypeSet For(RequirementSet reqs)
    {
        if (_bySet.TryGetValue(reqs, out var cached))
        {
            return cached;
        }

        var set = All;
        foreach (var r in reqs)
        {
            if (r.Key is WellKnownLabels.Zone or WellKnownLabels.CapacityType || !_typeLabelKeys.Contains(r.Key))
            {
                continue;
            }

            set = set.And(ForRequirement(r));
        }

        set = set.And(ForOfferings(reqs[WellKnownLabels.Zone], reqs[WellKnownLabels.CapacityType]));
        _bySet[reqs] = set;
        return set;
    }

    /// <summary>
    /// Per type, the price of the cheapest available offering the zone and capacity-type requirements of
    /// <paramref name="reqs"/> allow (infinity when none). Cached: only those two keys matter.
    /// </summary>
    public double[] Prices(RequirementSet reqs)
    {
        var key = (reqs[WellKnownLabels.Zone], reqs[WellKnownLabels.CapacityType]);
        if (_prices.TryGetValue(key, out var cached))
        {
            // Most calls hit: a lookup first, so the hot path does not allocate the factory's closure.
            return cached;
        }

        return _prices.GetOrAdd(key, _ =>
        {
            var prices = new double[Types.Length];
            for (var t = 0; t < Types.Length; t++)
            {
                prices[t] = CheapestOffering(t, reqs)?.Price ?? double.PositiveInfinity;
            }

            return prices;
        });
    }

    /// <summary>The cheapest available offering of type <paramref name="t"/> allowed by <paramref name="reqs"/>, or null.</summary>
    public Offering? CheapestOffering(int t, RequirementSet reqs)
    {
        var zone = reqs[WellKnownLabels.Zone];
        var ct = reqs[WellKnownLabels.CapacityType];
        Offering? best = null;
        foreach (var o in Types[t].Offerings)
        {
            if (!o.Available || (zone is not null && !zone.Has(o.Zone)) || (ct is not null && !ct.Has(o.CapacityType)))
            {
                continue;
            }

            if (best is null || o.Price < best.Price ||
                (o.Price == best.Price && (string.CompareOrdinal(o.Zone, best.Zone) < 0 ||
                    (o.Zone == best.Zone && string.CompareOrdinal(o.CapacityType, best.CapacityType) < 0))))
            {
                best = o;
            }
        }

        return best;
    }

    private TypeSet ForRequirement(Requirement r)
    {
        if (_byRequirement.TryGetValue(r, out var set))
        {
            return set;
        }

        set = new TypeSet(Types.Length);
        var absentOk = r.IsNegative;
        for (var i = 0; i < Types.Length; i++)
        {
            if (Types[i].Labels.TryGetValue(r.Key, out var v) ? r.Has(v) : absentOk)
            {
                set.Set(i);
            }
        }

        _byRequirement[r] = set;
        return set;
    }

    private TypeSet ForOfferings(Requirement? zone, Requirement? ct)
    {
        if (_byOffering.TryGetValue((zone, ct), out var set))
        {
            return set;
        }

        set = new TypeSet(Types.Length);
        for (var i = 0; i < Types.Length; i++)
        {
            foreach (var o in Types[i].Offerings)
            {
                if (o.Available && (zone is null || zone.Has(o.Zone)) && (ct is null || ct.Has(o.CapacityType)))
                {
                    set.Set(i);
                    break;
                }
            }
        }

        _byOffering[(zone, ct)] = set;
        return set;
    }
}
