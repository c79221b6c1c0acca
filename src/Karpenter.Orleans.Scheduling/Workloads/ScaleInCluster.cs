using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Scheduling.Workloads;

/// <summary>
/// A cluster right after a scale-in, as <see cref="ScaleInWorkload"/> builds it: the nodes a solve opened
/// with the pods that are left bound to them (what consolidation works on), and the same pods pending on
/// an empty cluster (what a fresh solve would buy for them, the yardstick for consolidation).
/// </summary>
public sealed record ScaleInCluster
{
    /// <summary>Nodes (all Ready, Karpenter's) and the remaining pods bound to them, DaemonSet pods included.</summary>
    public required DisruptionInput Cluster { get; init; }

    /// <summary>The remaining application pods, pending, with the same NodePools, DaemonSets and PDBs and no nodes.</summary>
    public required SchedulingInput Remaining { get; init; }

    /// <summary>Application pods the cluster was built for (DaemonSet pods not counted).</summary>
    public required int PodsBefore { get; init; }

    /// <summary>Application pods the scale-in removed.</summary>
    public required int PodsDeleted { get; init; }
}
