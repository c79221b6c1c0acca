using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Scheduling.Workloads;

/// <summary>A realistic mixed workload on a real catalog (the shipped us-east-1 one), for benchmarks.</summary>
public static class AwsMixedWorkload
{
    public static SchedulingInput Create(InstanceTypeCatalog catalog, int pods, int seed = 42) =>
        throw new NotImplementedException();
}
