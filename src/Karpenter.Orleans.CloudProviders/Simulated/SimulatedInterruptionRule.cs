namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>
/// When the simulated cloud takes a spot instance back (docs/simulated-cloud.md, "Interruptions"). Each
/// spot pool (type, zone) has an hourly interruption rate from a hash: nine pools in ten sit in 0–5 %,
/// one in ten is a troubled pool at 10–30 %. An instance draws once per hour of its life from a hash of
/// its id; the first hour whose draw falls under the rate is the hour it gets its two-minute warning.
/// Rebalance recommendations come some minutes before a warning, and now and then, in troubled pools,
/// as a false alarm with no warning in the hour after it.
/// </summary>
internal static class SimulatedInterruptionRule
{
    /// <summary>How long a spot instance has between the warning and being reclaimed, as on EC2.</summary>
    public static readonly TimeSpan Warning = TimeSpan.FromMinutes(2);

    /// <summary>Instances are only looked at for their first 30 days, which bounds the work per launch.</summary>
    public const int HorizonHours = 720;

    /// <summary>u = Unit("pool/type/zone"); u &lt; 0.9: rate = 0.05 × u / 0.9, else rate = 0.10 + 0.20 × (u − 0.9) / 0.1.</summary>
    public static double PoolHourlyRate(string instanceType, string zone)
    {
        var u = SimulatedHash.Unit($"pool/{instanceType}/{zone}");
        return u < 0.9 ? 0.05 * u / 0.9 : 0.10 + (0.20 * (u - 0.9) / 0.1);
    }

    /// <summary>
    /// The warning time of an instance running since <paramref name="runningAt"/>, or null when it is
    /// not interrupted within the horizon: for k = 0, 1, …: if Unit("interrupt/id/k") &lt; rate, the
    /// warning comes at runningAt + k hours + (hash("offset/id/k") mod 3600) seconds.
    /// </summary>
    public static DateTimeOffset? WarningAt(string instanceId, string instanceType, string zone, DateTimeOffset runningAt)
    {
        var rate = PoolHourlyRate(instanceType, zone);
        for (var k = 0; k < HorizonHours; k++)
        {
            if (SimulatedHash.Unit($"interrupt/{instanceId}/{k}") < rate)
            {
                var offset = (long)(SimulatedHash.Fnv1a64($"offset/{instanceId}/{k}") % 3600);
                return runningAt + TimeSpan.FromHours(k) + TimeSpan.FromSeconds(offset);
            }
        }

        return null;
    }

    /// <summary>A pool at or above this hourly rate is troubled (the one-in-ten band of <see cref="PoolHourlyRate"/>).</summary>
    public const double TroubledRate = 0.10;

    /// <summary>Share of the spot instances in troubled pools that get a false-alarm rebalance recommendation.</summary>
    public const double FalseAlarmShare = 0.5;

    /// <summary>A false alarm comes in the instance's first six hours of running.</summary>
    public static readonly TimeSpan FalseAlarmWindow = TimeSpan.FromHours(6);

    /// <summary>A false alarm is sent only this long or longer before the instance's warning.</summary>
    public static readonly TimeSpan FalseAlarmQuiet = TimeSpan.FromHours(1);

    /// <summary>
    /// The rebalance recommendation ahead of a warning at <paramref name="warningAt"/>: (2 + fnv("rebalance/id")
    /// mod 19) minutes before it, so 2–20 minutes; null when that would be before the instance was running.
    /// </summary>
    public static DateTimeOffset? RebalanceBefore(string instanceId, DateTimeOffset warningAt, DateTimeOffset runningAt)
    {
        var lead = TimeSpan.FromMinutes(2 + (long)(SimulatedHash.Fnv1a64($"rebalance/{instanceId}") % 19));
        var at = warningAt - lead;
        return at >= runningAt ? at : null;
    }

    /// <summary>
    /// The false-alarm rebalance recommendation of an instance in a troubled pool, or null: when
    /// Unit("rebalance-alone/id") &lt; <see cref="FalseAlarmShare"/>, at runningAt + (fnv("rebalance-alone-at/id")
    /// mod 21600) seconds, kept only when the warning (if any) is at least <see cref="FalseAlarmQuiet"/> later.
    /// </summary>
    public static DateTimeOffset? FalseAlarmAt(string instanceId, string instanceType, string zone, DateTimeOffset runningAt, DateTimeOffset? warningAt)
    {
        if (PoolHourlyRate(instanceType, zone) < TroubledRate || SimulatedHash.Unit($"rebalance-alone/{instanceId}") >= FalseAlarmShare)
        {
            return null;
        }

        var at = runningAt + TimeSpan.FromSeconds((long)(SimulatedHash.Fnv1a64($"rebalance-alone-at/{instanceId}") % (ulong)FalseAlarmWindow.TotalSeconds));
        return warningAt is null || at + FalseAlarmQuiet <= warningAt ? at : null;
    }
}
