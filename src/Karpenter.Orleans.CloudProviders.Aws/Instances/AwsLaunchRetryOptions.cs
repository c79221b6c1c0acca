namespace Karpenter.Orleans.CloudProviders.Aws.Instances;

/// <summary>
/// How EC2 calls back off when EC2 throttles them (<c>RequestLimitExceeded</c>, <c>Throttling</c>):
/// exponential with jitter, then the call fails as <see cref="CloudErrorCode.Throttled"/>.
/// </summary>
public sealed class AwsLaunchRetryOptions
{
    /// <summary>Retries after the first attempt.</summary>
    public int MaxRetryAttempts { get; init; } = 4;

    /// <summary>The first delay; each next one doubles, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>No single delay is longer than this.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);
}
