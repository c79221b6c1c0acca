using System.Collections.Concurrent;
using Karpenter.Orleans.Abstractions;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Auth;

/// <summary>
/// Finds the cluster an agent token belongs to through the fleet grain, remembering hits for a short
/// while so a busy agent does not turn every request into a call to one grain. Only digests are kept.
/// </summary>
internal sealed class AgentTokenCache(IGrainFactory grains, IOptions<KarpoAuthOptions> options, TimeProvider time)
{
    // Enough for a large fleet; past it the cache starts over rather than growing without bound.
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<string?> FindClusterAsync(string token)
    {
        var digest = AgentTokens.Sha256Hex(token);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(digest, out var entry) && entry.Expires > now)
        {
            return entry.ClusterId;
        }

        var clusterId = await grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).FindClusterByTokenAsync(digest);
        var ttl = TimeSpan.FromSeconds(options.Value.AgentTokenCacheSeconds);

        // Misses are not remembered: a token registered a moment later must work at once.
        if (clusterId is not null && ttl > TimeSpan.Zero)
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            _entries[digest] = new Entry(clusterId, now + ttl);
        }
        else
        {
            _entries.TryRemove(digest, out _);
        }

        return clusterId;
    }

    /// <summary>The cluster was re-registered or removed: its old token must stop working here now, not after the TTL.</summary>
    public void Forget(string clusterId)
    {
        foreach (var (digest, entry) in _entries)
        {
            if (string.Equals(entry.ClusterId, clusterId, StringComparison.Ordinal))
            {
                _entries.TryRemove(digest, out _);
            }
        }
    }

    private readonly record struct Entry(string ClusterId, DateTimeOffset Expires);
}
