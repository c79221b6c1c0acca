using Karpenter.Orleans.Abstractions;

using System.Globalization;

namespace Karpenter.Orleans.Silo.Console;

/// <summary>How the console writes prices, ages and times, the way karpo's tables do.</summary>
internal static class ConsoleFormat
{
    public static string Price(double perHour) => "$" + perHour.ToString("0.000", CultureInfo.InvariantCulture) + "/h";

    public static string Cap(double? perHour) => perHour is { } p ? Price(p) : "none";

    /// <summary>kubectl's ages: 45s, 12m, 3h, 2d.</summary>
    public static string Age(DateTimeOffset since, DateTimeOffset now)
    {
        var age = now - since;
        return age.TotalSeconds < 0 ? "0s"
            : age.TotalMinutes < 2 ? $"{(int)age.TotalSeconds}s"
            : age.TotalHours < 2 ? $"{(int)age.TotalMinutes}m"
            : age.TotalDays < 2 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }

    public static string Percent(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>How old a cluster's part of a fleet page is: "4s ago", or why it is missing or behind.</summary>
    public static string Freshness(ClusterReading reading, DateTimeOffset now) => (reading.AsOf, reading.Problem) switch
    {
        (null, null) => "not read yet",
        (null, { } problem) => "not read yet: " + problem,
        ({ } at, null) => Age(at, now) + " ago",
        ({ } at, { } problem) => Age(at, now) + " ago; " + problem,
    };

    public static string Lower(NodeClaimPhase phase) => phase.ToString().ToLowerInvariant();
}
