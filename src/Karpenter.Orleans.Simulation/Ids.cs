using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Karpenter.Orleans.Simulation;

/// <summary>Deterministic names and ids, so one simulated run looks the same every time it is replayed.</summary>
internal static class Ids
{
    /// <summary>A UUID-shaped id derived from <paramref name="seed"/> (SHA-256, version-4 layout).</summary>
    public static string Uid(string seed)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        var h = Convert.ToHexStringLower(hash);
        return string.Create(CultureInfo.InvariantCulture, $"{h[..8]}-{h[8..12]}-4{h[13..16]}-8{h[17..20]}-{h[20..32]}");
    }

    /// <summary>
    /// An EC2-style private DNS name for an instance ("ip-10-a-b-c.region.compute.internal"), the name
    /// kubelet registers the node under; the address is derived from the instance id.
    /// </summary>
    public static string Hostname(string instanceId, string region)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(instanceId));
        return string.Create(CultureInfo.InvariantCulture, $"ip-10-{hash[0]}-{hash[1]}-{hash[2]}.{region}.compute.internal");
    }

    /// <summary>A lowercase base-36 suffix of five or more characters, as ReplicaSets append to pod names.</summary>
    public static string Suffix(long counter)
    {
        const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        var chars = new Stack<char>();
        var n = counter;
        do
        {
            chars.Push(Digits[(int)(n % 36)]);
            n /= 36;
        }
        while (n > 0);

        while (chars.Count < 5)
        {
            chars.Push('0');
        }

        return new string([.. chars]);
    }

    /// <summary>Lowercase hex SHA-256 of <paramref name="text"/> (UTF-8), as the fleet stores agent tokens.</summary>
    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>A stable fraction in [0, 1) for <paramref name="text"/> (string.GetHashCode differs per process).</summary>
    public static double Fraction(string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return BitConverter.ToUInt32(hash, 0) / 4294967296.0;
    }
}
