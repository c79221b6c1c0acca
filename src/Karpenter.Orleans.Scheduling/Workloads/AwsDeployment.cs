namespace Karpenter.Orleans.Scheduling.Workloads;

/// <summary>
/// One deployment of the AWS mixed workload. <see cref="Weight"/> is its share of the pods left after
/// the <see cref="FixedReplicas"/> deployments (stateful sets with hostname anti-affinity) are counted.
/// </summary>
internal sealed record AwsDeployment(string Name, string Namespace, string Cpu, string Memory, int Weight = 0, int? FixedReplicas = null)
{
    /// <summary>Required kubernetes.io/arch nodeSelector, or null for multi-arch images.</summary>
    public string? Arch { get; init; }

    /// <summary>Required karpenter.sh/capacity-type nodeSelector (spot-tolerant batch), or null.</summary>
    public string? CapacityType { get; init; }

    /// <summary>Zonal topology spread, maxSkew 1, DoNotSchedule, over its own app label.</summary>
    public bool ZonalSpread { get; init; }

    /// <summary>Hostname topology spread, maxSkew 1, ScheduleAnyway (a soft spread, as many charts ship).</summary>
    public bool SoftHostnameSpread { get; init; }

    /// <summary>Required hostname anti-affinity against its own app label: one replica per node.</summary>
    public bool HostnameAntiAffinity { get; init; }

    /// <summary>nvidia.com/gpu requested per pod (with the GPU taint tolerated), or null.</summary>
    public string? Gpus { get; init; }

    /// <summary>Runs only on the tainted, labelled "critical" NodePool.</summary>
    public bool Critical { get; init; }
}
