using System.CommandLine.Parsing;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>The keys <c>karpo capacity --group-by</c> accepts (the API's <c>groupBy</c>), and their column headers.</summary>
internal static class CapacityGroupKeys
{
    public const string Default = "cluster";

    private static readonly (string Key, string Header)[] Keys =
    [
        ("cluster", "CLUSTER"),
        ("region", "REGION"),
        ("zone", "ZONE"),
        ("instanceType", "INSTANCE TYPE"),
        ("capacityType", "CAPACITY TYPE"),
        ("nodePool", "NODEPOOL"),
    ];

    public static string Allowed => string.Join(", ", Keys.Select(k => k.Key));

    public static string Header(string key) =>
        Keys.FirstOrDefault(k => k.Key == key).Header ?? key.ToUpperInvariant();

    /// <summary>
    /// The canonical keys named by the option's values ("region,zone" or repeated flags), in the order given,
    /// without repeats; matching ignores case so <c>instancetype</c> works too. Null when one is unknown.
    /// </summary>
    public static IReadOnlyList<string>? Parse(IEnumerable<string> values, out string? unknown)
    {
        var keys = new List<string>();
        unknown = null;
        foreach (var part in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var match = Keys.FirstOrDefault(k => string.Equals(k.Key, part, StringComparison.OrdinalIgnoreCase)).Key;
            if (match is null)
            {
                unknown = part;
                return null;
            }

            if (!keys.Contains(match))
            {
                keys.Add(match);
            }
        }

        return keys;
    }

    /// <summary>Rejects unknown keys at parse time, so a typo is a usage error (exit 2) that lists the valid keys.</summary>
    public static void Validate(OptionResult result)
    {
        // Validators also run for the implicit default, which has no tokens and is valid.
        if (result.Implicit)
        {
            return;
        }

        var keys = Parse(result.Tokens.Select(t => t.Value), out var unknown);
        if (keys is null)
        {
            result.AddError($"unknown --group-by key '{unknown}'; use one or more of: {Allowed}");
        }
        else if (keys.Count == 0)
        {
            result.AddError($"--group-by needs at least one of: {Allowed}");
        }
    }
}
