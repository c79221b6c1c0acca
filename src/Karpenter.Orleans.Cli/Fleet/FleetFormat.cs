using System.Globalization;
using Karpenter.Orleans.Cli.Output;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>How fleet tables print figures for people: cores, GiB, hourly prices and kubectl-like ages.</summary>
internal static class FleetFormat
{
    private const double BytesPerGiB = 1024.0 * 1024.0 * 1024.0;

    /// <summary>Hourly price with 3 or 4 decimals: AWS list prices have 4, sums rarely need more.</summary>
    public static string Price(double pricePerHour) =>
        Figures.Round(pricePerHour).ToString("0.000#", CultureInfo.InvariantCulture);

    public static string Price(double? pricePerHour) => pricePerHour is { } p ? Price(p) : "-";

    public static string Cores(long milliCpu) =>
        (milliCpu / 1000.0).ToString("0.##", CultureInfo.InvariantCulture);

    public static string GiB(long bytes) =>
        (bytes / BytesPerGiB).ToString("0.0", CultureInfo.InvariantCulture);

    public static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Percent(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>An empty or missing value prints as "-" so columns never collapse.</summary>
    public static string Text(string? value) => string.IsNullOrEmpty(value) ? "-" : value;

    /// <summary>"1 node", "3 nodes".</summary>
    public static string Plural(long count, string noun) => $"{Count(count)} {noun}{(count == 1 ? "" : "s")}";

    /// <summary>A map of quantities as <c>cpu=4,memory=16Gi</c>, keys sorted; "-" when empty.</summary>
    public static string Quantities(IReadOnlyDictionary<string, string>? values) =>
        values is null || values.Count == 0
            ? "-"
            : string.Join(',', values.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    /// <summary>A point in time as ISO 8601 UTC, for wide columns.</summary>
    public static string Time(DateTimeOffset? at) =>
        at is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Age(DateTimeOffset since, DateTimeOffset now) => Duration(now - since);

    public static string Age(DateTimeOffset? since, DateTimeOffset now) => since is { } s ? Age(s, now) : "-";

    /// <summary>
    /// A duration the way kubectl's AGE column reads: seconds under two minutes, then minutes, hours with minutes,
    /// days with hours, and whole days after a week. Precision drops as the figure grows, because nobody needs
    /// the seconds of a week-old node. Negative spans (clock skew) print as 0s.
    /// </summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            return "0s";
        }

        if (span < TimeSpan.FromMinutes(2))
        {
            return $"{(int)span.TotalSeconds}s";
        }

        if (span < TimeSpan.FromHours(1))
        {
            return $"{(int)span.TotalMinutes}m";
        }

        if (span < TimeSpan.FromDays(1))
        {
            return span.Minutes == 0 ? $"{(int)span.TotalHours}h" : $"{(int)span.TotalHours}h{span.Minutes}m";
        }

        if (span < TimeSpan.FromDays(7))
        {
            return span.Hours == 0 ? $"{(int)span.TotalDays}d" : $"{(int)span.TotalDays}d{span.Hours}h";
        }

        return $"{(int)span.TotalDays}d";
    }
}
