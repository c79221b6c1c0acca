namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// Deterministic NodeClaim names in the style of Kubernetes' generateName: "&lt;nodepool&gt;-" plus five
/// characters from the apiserver's alphabet (no vowels, no look-alikes), derived from a counter.
/// </summary>
internal sealed class ClaimNames
{
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public string Next(string nodePool)
    {
        Span<char> suffix = stackalloc char[5];
        for (var salt = 0UL; ; salt++)
        {
            var h = Mix(((ulong)_used.Count * 0x9E3779B97F4A7C15UL) ^ (salt << 40) ^ Fnv(nodePool));
            for (var i = 0; i < 5; i++)
            {
                suffix[i] = Alphabet[(int)(h % (ulong)Alphabet.Length)];
                h /= (ulong)Alphabet.Length;
            }

            var name = $"{nodePool}-{suffix}";
            if (_used.Add(name))
            {
                return name;
            }
        }
    }

    private static ulong Fnv(string s)
    {
        var h = 14695981039346656037UL;
        foreach (var c in s)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return h;
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb93fe53b5a85UL;
        return x ^ (x >> 33);
    }
}
