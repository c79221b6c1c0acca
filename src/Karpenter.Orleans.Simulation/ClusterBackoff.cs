using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// One simulated cluster's failed ticks, in either fleet: after each failure the cluster waits twice the tick
/// interval per consecutive failure (at most 30 s) while the others go on; the first failures, expected while
/// the silo starts, are logged quietly, a persisting one as a warning.
/// </summary>
internal sealed class ClusterBackoff(string clusterId)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    public int Failures { get; private set; }

    public DateTimeOffset RetryAt { get; private set; } = DateTimeOffset.MinValue;

    public void Succeeded(ILogger logger)
    {
        if (Failures > 0)
        {
            logger.LogInformation("Simulated cluster {ClusterId} recovered after {Failures} failed tick(s)", clusterId, Failures);
        }

        Failures = 0;
    }

    public void Failed(ILogger logger, Exception exception, TimeSpan tickInterval, DateTimeOffset now)
    {
        Failures++;
        var interval = tickInterval > TimeSpan.Zero ? tickInterval : TimeSpan.FromSeconds(1);
        var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, interval.Ticks * (1L << Math.Min(Failures, 20))));
        RetryAt = now + backoff;
        var level = Failures >= 5 ? LogLevel.Warning : LogLevel.Information;
        logger.Log(level, exception, "Simulated cluster {ClusterId}: tick failed ({Failures} in a row); retrying in {Backoff}", clusterId, Failures, backoff);
    }
}
