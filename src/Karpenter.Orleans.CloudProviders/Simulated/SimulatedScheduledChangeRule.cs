namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>
/// When the simulated cloud schedules a change for an instance (docs/simulated-cloud.md, "Scheduled
/// changes"): EC2's instance-retirement and system-maintenance events. Any instance, whatever its capacity
/// type, draws once per day of its life from a hash of its id; the first day whose draw falls under the
/// daily rate brings a notice, and the cloud stops the instance 10–60 minutes later. EC2 gives days of
/// notice; minutes make the event show in a simulation.
/// </summary>
internal static class SimulatedScheduledChangeRule
{
    /// <summary>Instances are only looked at for their first 30 days, as for spot interruptions.</summary>
    public const int HorizonDays = 30;

    /// <summary>
    /// The notice and deadline of an instance running since <paramref name="runningAt"/>, or null: for
    /// d = 0, 1, …: if Unit("scheduled/id/d") &lt; rate, the notice comes at runningAt + d days +
    /// (fnv("scheduled-at/id/d") mod 86400) seconds and the deadline (10 + fnv("scheduled-lead/id") mod 51)
    /// minutes after it.
    /// </summary>
    public static (DateTimeOffset At, DateTimeOffset Deadline)? ChangeAt(string instanceId, DateTimeOffset runningAt, double ratePerDay)
    {
        if (ratePerDay <= 0)
        {
            return null;
        }

        for (var d = 0; d < HorizonDays; d++)
        {
            if (SimulatedHash.Unit($"scheduled/{instanceId}/{d}") < ratePerDay)
            {
                var at = runningAt + TimeSpan.FromDays(d) + TimeSpan.FromSeconds((long)(SimulatedHash.Fnv1a64($"scheduled-at/{instanceId}/{d}") % 86400));
                return (at, at + Lead(instanceId));
            }
        }

        return null;
    }

    /// <summary>10 + (fnv("scheduled-lead/id") mod 51) minutes: 10 to 60 minutes between notice and stop.</summary>
    public static TimeSpan Lead(string instanceId) =>
        TimeSpan.FromMinutes(10 + (long)(SimulatedHash.Fnv1a64($"scheduled-lead/{instanceId}") % 51));
}
