using System.Collections.Concurrent;
using Karpenter.Orleans.Abstractions;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Auth;

/// <summary>
/// Finds the cluster an agent token belongs to through the fleet grain, remembering hits for a short
/// while so a busy agent does not turn every request into a call to one grain, and misses for a shorter
/// while so a flood of a bad token does not either. Only digests are kept.
/// </summary>
internal sealed class AgentTokenCache(IGrainFactory grains, IOptions<KarpoAuthOptions> options, TimeProvider time)
{
    // Enough for a large fleet; past it the cache starts over rather than growing without bound.
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _misses = new(StringComparer.Ordinal);
    private long _fleetLookups;

    /// <summary>How many times the fleet grain was asked (every answer not served from the cache).</summary>
    public long FleetLookups => Interlocked.Read(ref _fleetLookups);

    /// <summary>The token's cluster when it is cached as known; never calls the fleet.</summary>
    public string? FindCached(string token) =>
        _entries.TryGetValue(AgentTokens.Sha256Hex(token), out var entry) && entry.Expires > time.GetUtcNow() ? entry.ClusterId : null;

    public async Task<string?> FindClusterAsync(string token)
    {
        var digest = AgentTokens.Sha256Hex(token);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(digest, out var entry) && entry.Expires > now)
        {
            return entry.ClusterId;
        }

        if (_misses.TryGetValue(digest, out var missExpires) && missExpires > now)
        {
            return null;
        }

        Interlocked.Increment(ref _fleetLookups);
        var clusterId = await grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).FindClusterByTokenAsync(digest);
        var ttl = TimeSpan.FromSeconds(options.Value.AgentTokenCacheSeconds);
        if (clusterId is not null && ttl > TimeSpan.Zero)
        {
            Bound(_entries);
            _entries[digest] = new Entry(clusterId, now + ttl);
        }
        else
        {
            _entries.TryRemove(digest, out _);
        }

        // A miss may be remembered: agent tokens are random and shown only once registered, so no real agent
        // presents one before the fleet knows it (Register also forgets the new digest, for the silo that made it).
        var missTtl = TimeSpan.FromSeconds(options.Value.FailedTokenCacheSeconds);
        if (clusterId is null && missTtl > TimeSpan.Zero)
        {
            Bound(_misses);
            _misses[digest] = now + missTtl;
        }
        else
        {
            _misses.TryRemove(digest, out _);
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

    /// <summary>A token was just issued: should it have been tried before, it must work at once.</summary>
    public void ForgetMiss(string token) => _misses.TryRemove(AgentTokens.Sha256Hex(token), out _);

    private static void Bound<TValue>(ConcurrentDictionary<string, TValue> entries)
    {
        if (entries.Count >= MaxEntries)
        {
            entries.Clear();
        }
    }

    private readonly record struct Entry(string ClusterId, DateTimeOffset Expires);
}
