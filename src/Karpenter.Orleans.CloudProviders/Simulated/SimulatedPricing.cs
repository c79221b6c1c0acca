namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>
/// The simulated spot market (docs/simulated-cloud.md, "Prices"): a spot offering costs its base price
/// times a factor in [0.85, 1.15) that changes every hour of simulated time and is the same on every run.
/// </summary>
internal static class SimulatedPricing
{
    /// <summary>The hour of simulated time the spot price belongs to: whole hours since the Unix epoch.</summary>
    public static long Hour(DateTimeOffset at) => (long)Math.Floor(at.ToUnixTimeSeconds() / 3600.0);

    /// <summary>u = Unit("type/zone/hour"); factor = 0.85 + 0.30 × u.</summary>
    public static double SpotFactor(string instanceType, string zone, long hour) =>
        0.85 + (0.30 * SimulatedHash.Unit($"{instanceType}/{zone}/{hour}"));

    public static double SpotPrice(string instanceType, string zone, double basePrice, DateTimeOffset at) =>
        Round(basePrice * SpotFactor(instanceType, zone, Hour(at)));

    /// <summary>Prices are dollars per hour with six decimals, as the catalog writes them.</summary>
    public static double Round(double price) => Math.Round(price, 6, MidpointRounding.AwayFromZero);
}
