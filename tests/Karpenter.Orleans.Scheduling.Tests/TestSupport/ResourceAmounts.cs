using System.Globalization;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Tests.TestSupport;

/// <summary>
/// The test oracle's own resource arithmetic: exact decimal amounts per resource name in Kubernetes base
/// units (cores for cpu, bytes for memory, counts for pods and extended resources), parsed from the
/// Kubernetes quantities of the input objects. It shares nothing with the product's ResourceVector but the
/// catalog's numbers, so a bug in that arithmetic cannot hide behind the checker.
/// </summary>
public sealed class ResourceAmounts
{
    public static readonly ResourceAmounts Zero = new(new SortedDictionary<string, decimal>(StringComparer.Ordinal));

    private readonly SortedDictionary<string, decimal> _amounts;

    private ResourceAmounts(SortedDictionary<string, decimal> amounts) => _amounts = amounts;

    public IEnumerable<string> Names => _amounts.Keys;

    public decimal this[string name] => _amounts.GetValueOrDefault(name);

    public static ResourceAmounts Of(params (string Name, decimal Amount)[] amounts)
    {
        var d = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (name, amount) in amounts)
        {
            d[name] = d.GetValueOrDefault(name) + amount;
        }

        return new ResourceAmounts(d);
    }

    /// <summary>A Kubernetes resource map (requests, overhead, node allocatable or capacity).</summary>
    public static ResourceAmounts FromQuantities(IEnumerable<KeyValuePair<string, ResourceQuantity>>? quantities) =>
        Of([.. (quantities ?? []).Where(q => q.Value is not null).Select(q => (q.Key, q.Value.ToDecimal()))]);

    /// <summary>Quantity strings as written in a manifest (NodePool limits).</summary>
    public static ResourceAmounts FromStrings(IEnumerable<KeyValuePair<string, string>> quantities) =>
        Of([.. quantities.Select(q => (q.Key, new ResourceQuantity(q.Value.Trim()).ToDecimal()))]);

    /// <summary>
    /// Reads the numbers of a catalog entry or a claim (which only exist as vectors): milli-cpu and milli-units
    /// of extended resources are scaled back to whole units. No vector arithmetic is used.
    /// </summary>
    public static ResourceAmounts FromCatalog(ResourceVector v)
    {
        var list = new List<(string, decimal)>
        {
            (ResourceNames.Cpu, v.MilliCpu / 1000m),
            (ResourceNames.Memory, v.Memory),
            (ResourceNames.Pods, v.Pods),
        };
        if (v.EphemeralStorage != 0)
        {
            list.Add((ResourceNames.EphemeralStorage, v.EphemeralStorage));
        }

        foreach (var (k, x) in (IEnumerable<KeyValuePair<string, long>>?)v.Extended ?? [])
        {
            list.Add((k, x / 1000m));
        }

        return Of([.. list]);
    }

    /// <summary>
    /// What the kube-scheduler charges a node for this pod: per resource, max(app containers + sidecars,
    /// each init container + the sidecars started before it) + overhead, plus one pod slot. A container
    /// with a limit but no request requests its limit.
    /// </summary>
    public static ResourceAmounts PodRequests(V1PodSpec spec)
    {
        var sidecars = Zero;
        var initPeak = Zero;
        foreach (var c in spec.InitContainers ?? [])
        {
            var r = Container(c.Resources);
            if (c.RestartPolicy == "Always")
            {
                sidecars += r;
                initPeak = Max(initPeak, sidecars);
            }
            else
            {
                initPeak = Max(initPeak, sidecars + r);
            }
        }

        var app = (spec.Containers ?? []).Aggregate(sidecars, (acc, c) => acc + Container(c.Resources));
        return Max(app, initPeak) + FromQuantities(spec.Overhead) + Of((ResourceNames.Pods, 1m));

        static ResourceAmounts Container(V1ResourceRequirements? r)
        {
            var merged = new Dictionary<string, ResourceQuantity>(r?.Limits ?? new Dictionary<string, ResourceQuantity>());
            foreach (var (k, v) in r?.Requests ?? new Dictionary<string, ResourceQuantity>())
            {
                merged[k] = v;
            }

            return FromQuantities(merged);
        }
    }

    public static ResourceAmounts operator +(ResourceAmounts a, ResourceAmounts b)
    {
        var d = new SortedDictionary<string, decimal>(a._amounts, StringComparer.Ordinal);
        foreach (var (k, v) in b._amounts)
        {
            d[k] = d.GetValueOrDefault(k) + v;
        }

        return new ResourceAmounts(d);
    }

    public static ResourceAmounts Add(ResourceAmounts a, ResourceAmounts b) => a + b;

    public static ResourceAmounts Max(ResourceAmounts a, ResourceAmounts b)
    {
        var d = new SortedDictionary<string, decimal>(a._amounts, StringComparer.Ordinal);
        foreach (var (k, v) in b._amounts)
        {
            d[k] = Math.Max(d.GetValueOrDefault(k), v);
        }

        return new ResourceAmounts(d);
    }

    public static ResourceAmounts Sum(IEnumerable<ResourceAmounts> items) => items.Aggregate(Zero, (acc, x) => acc + x);

    /// <summary>Resources of which this asks more than <paramref name="available"/> has (a missing resource has 0).</summary>
    public IReadOnlyList<string> ExceededIn(ResourceAmounts available) =>
        [.. _amounts.Where(x => x.Value > available[x.Key]).Select(x => x.Key)];

    public bool FitsIn(ResourceAmounts available) => ExceededIn(available).Count == 0;

    /// <summary>A decimal without trailing zeros, invariant culture.</summary>
    public static string Format(decimal value) => (value / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    public override string ToString() =>
        "{" + string.Join(", ", _amounts.Where(x => x.Value != 0).Select(x => $"{x.Key}={Format(x.Value)}")) + "}";
}
