using System.Globalization;

namespace Karpenter.Orleans.Cli.Output;

/// <summary>Rounding and formatting of printed figures, so sums of prices print without float noise (0.30000000000000004).</summary>
internal static class Figures
{
    public const int Decimals = 6;

    /// <summary>Rounds to <see cref="Decimals"/> places; negative zero becomes zero so output stays byte-stable.</summary>
    public static double Round(double value)
    {
        var rounded = Math.Round(value, Decimals, MidpointRounding.AwayFromZero);
        return rounded == 0 ? 0 : rounded;
    }

    /// <summary>A price for tables: at least 4 decimals (AWS prices have 4), up to 6.</summary>
    public static string Price(double pricePerHour) =>
        Round(pricePerHour).ToString("0.0000##", CultureInfo.InvariantCulture);

    public static string Price(double? pricePerHour) =>
        pricePerHour is { } p && double.IsFinite(p) ? Price(p) : "n/a";

    public static string Percent(double? percent) =>
        percent is { } p && double.IsFinite(p) ? p.ToString("0.00", CultureInfo.InvariantCulture) + "%" : "n/a";

    public static string Seconds(double seconds) =>
        seconds.ToString("0.000", CultureInfo.InvariantCulture) + "s";

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Rate(double perSecond) =>
        perSecond.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes) =>
        (bytes / (1024.0 * 1024.0)).ToString("#,0.0", CultureInfo.InvariantCulture) + " MiB";
}
