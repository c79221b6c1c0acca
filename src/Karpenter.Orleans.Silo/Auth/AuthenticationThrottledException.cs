namespace Karpenter.Orleans.Silo.Auth;

/// <summary>The failure of an authentication refused because its client failed too often; answered 429.</summary>
internal sealed class AuthenticationThrottledException(TimeSpan retryAfter)
    : Exception("too many failed authentication attempts from this client; retry later")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
