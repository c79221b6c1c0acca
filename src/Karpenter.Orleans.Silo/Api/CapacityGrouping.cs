using Microsoft.Extensions.Primitives;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>Parses <c>?groupBy=region,zone</c> into the keys IFleetGrain.GetCapacityAsync understands.</summary>
internal static class CapacityGrouping
{
    public static readonly string[] Keys = ["cluster", "region", "zone", "instanceType", "capacityType", "nodePool"];

    public static IReadOnlyList<string> Parse(StringValues values)
    {
        var keys = new List<string>();
        foreach (var value in values)
        {
            foreach (var part in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // Accept any casing of a known key, hand the grain its canonical spelling.
                var key = Array.Find(Keys, k => string.Equals(k, part, StringComparison.OrdinalIgnoreCase))
                    ?? throw ApiException.BadRequest($"groupBy accepts {string.Join(", ", Keys)}; '{part}' is not one of them", "groupBy");
                if (!keys.Contains(key))
                {
                    keys.Add(key);
                }
            }
        }

        return keys;
    }
}
