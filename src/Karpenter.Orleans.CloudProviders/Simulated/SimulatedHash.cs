using System.Text;

namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>
/// The hash behind every "random" choice of the simulated cloud: FNV-1a 64-bit over UTF-8 text. It is
/// written out in docs/simulated-cloud.md so anyone can recompute a price or an interruption by hand;
/// string.GetHashCode would differ between processes.
/// </summary>
internal static class SimulatedHash
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Fnv1a64(string text)
    {
        var hash = OffsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * Prime);
        }

        return hash;
    }

    /// <summary>A draw in [0, 1) with four decimal places: (hash mod 10000) / 10000.</summary>
    public static double Unit(string text) => Fnv1a64(text) % 10000 / 10000.0;
}
