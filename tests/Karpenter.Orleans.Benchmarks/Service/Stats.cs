using System.Globalization;

namespace Karpenter.Orleans.Benchmarks.Service;

/// <summary>Nearest-rank percentiles and invariant formatting for the service figures.</summary>
public static class Stats
{
    /// <summary>The nearest-rank <paramref name="p"/>-th percentile (0..100) of <paramref name="values"/>; NaN when empty.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static string Ms(double milliseconds) => milliseconds.ToString("N0", CultureInfo.InvariantCulture) + " ms";

    public static string Seconds(double seconds) => seconds.ToString("F3", CultureInfo.InvariantCulture) + " s";

    public static string MiB(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N0", CultureInfo.InvariantCulture) + " MiB";

    public static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
