namespace Karpenter.Orleans.Simulation;

/// <summary>
/// The replica curve of simulated workloads: a deterministic function of simulated time, so a run can be
/// replayed and two clusters with different phases peak at different moments.
/// </summary>
public static class WorkloadCurve
{
    /// <summary>
    /// A smooth wave in [0, 1]: <c>(1 − cos(2π (t / period + phase))) / 2</c>. It starts at its low point
    /// (phase 0), peaks half a period in and has no jumps, like daily traffic.
    /// </summary>
    public static double Wave(TimeSpan elapsed, TimeSpan period, double phase)
    {
        if (period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "the period must be positive");
        }

        var turns = (elapsed / period) + phase;
        return (1 - Math.Cos(2 * Math.PI * turns)) / 2;
    }

    /// <summary>
    /// Replicas of <paramref name="workload"/> at <paramref name="elapsed"/> since the cluster started:
    /// Deployment: <c>round(scale × (base + amplitude × wave))</c>; Job: <c>round(scale × (base + amplitude))</c>
    /// while the period's fraction is in [0.5, 0.5 + burstWindow), else 0.
    /// </summary>
    public static int Replicas(SimulatedWorkload workload, TimeSpan elapsed, TimeSpan period, double clusterPhase, double scale)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var phase = clusterPhase + workload.Phase;
        double replicas;
        if (workload.Kind == WorkloadKind.Job)
        {
            var turns = (elapsed / period) + phase;
            var fraction = turns - Math.Floor(turns);
            replicas = fraction >= 0.5 && fraction < 0.5 + workload.BurstWindow ? workload.BaseReplicas + workload.Amplitude : 0;
        }
        else
        {
            replicas = workload.BaseReplicas + (workload.Amplitude * Wave(elapsed, period, phase));
        }

        return (int)Math.Max(0, Math.Round(scale * replicas, MidpointRounding.AwayFromZero));
    }
}
