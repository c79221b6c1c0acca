using Amazon.EC2;
using Karpenter.Orleans.CloudProviders.Aws.Instances;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Karpenter.Orleans.CloudProviders.Aws;

/// <summary>
/// The one resilience pipeline every EC2 call of the provider runs through (launches, instance look-ups and the
/// catalog's describe calls alike): Polly's retry on EC2's throttling codes only, exponential with jitter
/// (<see cref="AwsLaunchRetryOptions"/>), each wait logged naming the call. Anything else fails at once; the
/// SDK's own retries are off, so a throttled call is never retried twice over.
/// </summary>
public sealed class Ec2Resilience
{
    // The EC2 action a pipeline run is for, so a retry's log line names it.
    private static readonly ResiliencePropertyKey<string> ActionKey = new("karpo.ec2-action");

    private readonly ResiliencePipeline _pipeline;

    public Ec2Resilience(TimeProvider time, AwsLaunchRetryOptions? retry = null, ILogger<Ec2Resilience>? logger = null)
        : this(time, retry, (ILogger?)logger)
    {
    }

    private Ec2Resilience(TimeProvider time, AwsLaunchRetryOptions? retry, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        retry ??= new AwsLaunchRetryOptions();
        var log = logger ?? NullLogger.Instance;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<AmazonEC2Exception>(e => Ec2ErrorCodes.IsThrottle(e.ErrorCode)),
                MaxRetryAttempts = retry.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                OnRetry = args =>
                {
                    // Each wait is told, so an operator sees the account being throttled before calls fail as Throttled.
                    log.LogWarning("EC2 throttled {Action} ({Code}): retry {Attempt} of {MaxAttempts} in {DelayMs} ms",
                        args.Context.Properties.GetValue(ActionKey, "an EC2 call"), (args.Outcome.Exception as AmazonEC2Exception)?.ErrorCode,
                        args.AttemptNumber + 1, retry.MaxRetryAttempts, args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>A pipeline that logs to <paramref name="logger"/> (the instance provider's own log).</summary>
    internal static Ec2Resilience Create(TimeProvider time, AwsLaunchRetryOptions? retry, ILogger? logger) => new(time, retry, logger);

    /// <summary>Runs one EC2 call; EC2's exception after the last retry is the caller's to translate.</summary>
    public async Task<T> ExecuteAsync<T>(string action, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ActionKey, action);
        try
        {
            return await _pipeline.ExecuteAsync(async c => await call(c.CancellationToken).ConfigureAwait(false), context).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
