using k8s.Models;
using Karpenter.Orleans.Simulation;

namespace Karpenter.Orleans.Service.Tests.Simulation;

/// <summary>The replica curve is deterministic, smooth, and rises and falls once per period.</summary>
public sealed class WorkloadCurveTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(10);

    private static readonly SimulatedWorkload Web = new("web", new V1PodSpec(), BaseReplicas: 4, Amplitude: 20);

    [Fact]
    public void The_wave_starts_low_peaks_half_a_period_in_and_returns()
    {
        Assert.Equal(4, WorkloadCurve.Replicas(Web, TimeSpan.Zero, Period, 0, 1));
        Assert.Equal(24, WorkloadCurve.Replicas(Web, Period / 2, Period, 0, 1));
        Assert.Equal(4, WorkloadCurve.Replicas(Web, Period, Period, 0, 1));
        Assert.Equal(14, WorkloadCurve.Replicas(Web, Period / 4, Period, 0, 1));
    }

    [Fact]
    public void The_curve_is_deterministic_and_moves_by_small_steps()
    {
        var step = TimeSpan.FromSeconds(1);
        var first = Enumerable.Range(0, 1200).Select(i => WorkloadCurve.Replicas(Web, step * i, Period, 0.3, 1)).ToList();
        var second = Enumerable.Range(0, 1200).Select(i => WorkloadCurve.Replicas(Web, step * i, Period, 0.3, 1)).ToList();

        Assert.Equal(first, second);
        Assert.All(first.Zip(first.Skip(1)), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 1));
        Assert.Equal(4, first.Min());
        Assert.Equal(24, first.Max());
    }

    [Fact]
    public void Phase_shifts_the_peak_and_scale_multiplies_replicas()
    {
        Assert.Equal(24, WorkloadCurve.Replicas(Web, TimeSpan.Zero, Period, 0.5, 1));
        Assert.Equal(4, WorkloadCurve.Replicas(Web, Period / 2, Period, 0.5, 1));
        Assert.Equal(48, WorkloadCurve.Replicas(Web, Period / 2, Period, 0, 2));
        Assert.Equal(2, WorkloadCurve.Replicas(Web, TimeSpan.Zero, Period, 0, 0.5));
    }

    [Fact]
    public void A_job_bursts_during_its_window_only()
    {
        var job = new SimulatedWorkload("report", new V1PodSpec(), BaseReplicas: 0, Amplitude: 16, Kind: WorkloadKind.Job, BurstWindow: 0.1);

        Assert.Equal(0, WorkloadCurve.Replicas(job, TimeSpan.Zero, Period, 0, 1));
        Assert.Equal(0, WorkloadCurve.Replicas(job, Period * 0.49, Period, 0, 1));
        Assert.Equal(16, WorkloadCurve.Replicas(job, Period * 0.5, Period, 0, 1));
        Assert.Equal(16, WorkloadCurve.Replicas(job, Period * 0.59, Period, 0, 1));
        Assert.Equal(0, WorkloadCurve.Replicas(job, Period * 0.61, Period, 0, 1));
        Assert.Equal(16, WorkloadCurve.Replicas(job, Period * 1.55, Period, 0, 1));
    }
}
