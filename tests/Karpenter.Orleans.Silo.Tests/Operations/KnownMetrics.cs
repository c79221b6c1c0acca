using System.Reflection;
using Karpenter.Orleans.Grains.Telemetry;

namespace Karpenter.Orleans.Silo.Tests.Operations;

/// <summary>The metric names dashboards, alerts and runbooks may use.</summary>
internal static class KnownMetrics
{
    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];

    /// <summary>Prometheus' own per-target series.</summary>
    public static readonly IReadOnlySet<string> Builtin = new HashSet<string>(StringComparer.Ordinal) { "up" };

    /// <summary>The constants of <see cref="MetricNames"/>, read by reflection so a new metric needs no test change.</summary>
    public static IReadOnlySet<string> Exported { get; } = typeof(MetricNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral && field.FieldType == typeof(string))
        .Select(field => (string)field.GetRawConstantValue()!)
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Whether <paramref name="name"/> is an exported metric, a histogram series of one (counters,
    /// whose names end in _total, have none), a built-in series or one of <paramref name="recordingRules"/>.
    /// </summary>
    public static bool IsKnown(string name, IReadOnlySet<string> recordingRules)
    {
        if (Exported.Contains(name) || Builtin.Contains(name) || recordingRules.Contains(name))
        {
            return true;
        }

        foreach (var suffix in HistogramSuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                var baseName = name[..^suffix.Length];
                if (Exported.Contains(baseName) && !baseName.EndsWith("_total", StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The names in <paramref name="expression"/> that are not known, for a failure message.</summary>
    public static IEnumerable<string> Unknown(string expression, IReadOnlySet<string> recordingRules) =>
        PromQl.MetricNames(expression).Where(name => !IsKnown(name, recordingRules));
}
