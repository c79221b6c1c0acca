namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>
/// When the simulated cloud takes a spot instance back (docs/simulated-cloud.md, "Interruptions"). Each
/// spot pool (type, zone) has an hourly interruption rate from a hash: nine pools in ten sit in 0–5 %,
/// one in ten is a troubled pool at 10–30 %. An instance draws once per hour of its life from a hash of
/// its id; the first hour whose draw falls under the rate is the hour it gets its two-minute warning.
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
}
