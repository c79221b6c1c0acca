namespace Karpenter.Orleans.Scheduling.Workloads;

/// <summary>
/// One service of a generated fleet (<see cref="FleetWorkload"/>): its pods' requests, how many there are and
/// what they select. Every pod of a service is the same pod, so a service is one pod group for the solver.
/// </summary>
public sealed record FleetService
{
    public required string Name { get; init; }

    public required string Namespace { get; init; }

    /// <summary>CPU request, in millicores.</summary>
    public required int MilliCpu { get; init; }

    /// <summary>Memory request, in MiB.</summary>
    public required int MemoryMi { get; init; }

    public required int Replicas { get; init; }

    /// <summary>Required kubernetes.io/arch nodeSelector, or null for multi-arch images.</summary>
    public string? Arch { get; init; }

    /// <summary>Required karpenter.sh/capacity-type nodeSelector, or null.</summary>
    public string? CapacityType { get; init; }

    /// <summary>Zonal topology spread over its own pods (maxSkew 1, DoNotSchedule).</summary>
    public bool ZonalSpread { get; init; }

    /// <summary>Required hostname anti-affinity against its own pods: one replica per node.</summary>
    public bool HostnameAntiAffinity { get; init; }

    /// <summary>nvidia.com/gpu per pod (the pods tolerate the gpu NodePool's taint), or 0.</summary>
    public int Gpus { get; init; }

    /// <summary>Runs only on the tainted on-demand "critical" NodePool.</summary>
    public bool Critical { get; init; }
}
