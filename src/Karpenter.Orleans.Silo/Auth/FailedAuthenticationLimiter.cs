using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Auth;

/// <summary>
/// Counts failed authentications per client (remote IP) with the framework's fixed-window rate limiter.
/// Past <see cref="KarpoAuthOptions.FailedAttemptsPerClient"/> failures in a window the client's unknown
/// tokens are answered 429 without being looked up; tokens that are known (admin, read, or an agent token
/// already cached) are never limited, so a flood from one address cannot lock out the real users.
/// </summary>
internal sealed class FailedAuthenticationLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _window;

    public FailedAuthenticationLimiter(IOptions<KarpoAuthOptions> options)
    {
        var settings = options.Value;
        _window = TimeSpan.FromSeconds(settings.FailedAttemptsWindowSeconds);
        var permits = settings.FailedAttemptsPerClient;
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = _window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>The partition key of a request: its remote address (IPv4-mapped IPv6 folded to IPv4).</summary>
    public static string ClientOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        return address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    /// <summary>The client has used up its failures for this window: its next unknown token is not looked up.</summary>
    public bool IsExhausted(string client) => _limiter.GetStatistics(client) is { CurrentAvailablePermits: <= 0 };

    /// <summary>Counts one failure; null while the client is within its allowance, else how long until it may try again.</summary>
    public TimeSpan? RecordFailure(string client)
    {
        using var lease = _limiter.AttemptAcquire(client);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero ? retryAfter : _window;
    }

    public void Dispose() => _limiter.Dispose();
}
