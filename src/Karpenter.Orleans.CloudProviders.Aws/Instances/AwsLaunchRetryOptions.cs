namespace Karpenter.Orleans.CloudProviders.Aws.Instances;

/// <summary>
/// How EC2 calls back off when EC2 throttles them (<c>RequestLimitExceeded</c>, <c>Throttling</c>):
/// exponential with jitter, then the call fails as <see cref="CloudErrorCode.Throttled"/>; and how long a
/// refused permission holds launches off.
/// </summary>
public sealed class AwsLaunchRetryOptions
{
    /// <summary>Retries after the first attempt.</summary>
    public int MaxRetryAttempts { get; init; } = 4;

    /// <summary>The first delay; each next one doubles, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>No single delay is longer than this.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After EC2 refused a launch for want of permission, launches in that region are refused this long without
    /// an EC2 call: a missing permission is fixed by a person, and asking again on every provisioning run is a storm.
    /// </summary>
    public TimeSpan UnauthorizedHoldOff { get; init; } = TimeSpan.FromMinutes(1);
}
