using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Scheduling.Workloads;

/// <summary>Karpenter's scheduling benchmark workload, reproduced (see docs/benchmarks.md).</summary>
public static class BenchmarkWorkload
{
    /// <summary>
    /// One NodePool with huge limits, 400 fake instance types and <paramref name="pods"/> diverse pods
    /// (or the preference pods when <paramref name="preferences"/> is set), generated from <paramref name="seed"/>.
    /// </summary>
    public static SchedulingInput Create(int pods, bool preferences = false, int seed = 42) =>
        throw new NotImplementedException();
}
