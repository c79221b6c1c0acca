using System.Text;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// The documented spot price for catalogs without offerings (docs/catalog.md): with u = (FNV-1a 64-bit
/// hash of the UTF-8 string "TYPE/ZONE") mod 10000 / 10000, spot = round(onDemand × (0.30 + 0.40 × u), 6).
/// Computed in decimal arithmetic from the price as written, so any language with decimals gets the
/// same digits (binary floating point would round a few exact halves differently).
/// </summary>
public static class SpotPriceRule
{
    private const ulong FnvOffsetBasis = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    public static double Price(string instanceType, string zone, decimal onDemandPrice) =>
        (double)Math.Round(onDemandPrice * Fraction(instanceType, zone), 6, MidpointRounding.AwayFromZero);

    /// <summary>The spot price as a fraction of on-demand, in [0.30, 0.70).</summary>
    public static decimal Fraction(string instanceType, string zone) =>
        0.30m + (0.40m * (Fnv1a64($"{instanceType}/{zone}") % 10000) / 10000m);

    public static ulong Fnv1a64(string text)
    {
        var hash = FnvOffsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * FnvPrime);
        }

        return hash;
    }
}
