namespace Karpenter.Orleans.Scheduling.Workloads;

/// <summary>
/// One service of the scale-in workload: requests per pod, its share of the pods (or a fixed replica count)
/// and the constraints that make consolidating it harder than packing boxes.
/// </summary>
internal sealed record ScaleInService(string Name, string Namespace, long MilliCpu, long MemoryMi, int Weight = 0, int? FixedReplicas = null)
{
    public bool ZonalSpread { get; init; }

    public bool HostnameAntiAffinity { get; init; }

    /// <summary>Runs only on the tainted, labelled critical NodePool.</summary>
    public bool Critical { get; init; }

    /// <summary>Pods carry karpenter.sh/do-not-disrupt: their nodes stay until they finish.</summary>
    public bool DoNotDisrupt { get; init; }

    /// <summary>maxUnavailable of the service's PodDisruptionBudget ("1", "10%"), or null for none.</summary>
    public string? PdbMaxUnavailable { get; init; }

    /// <summary>Stateful sets are not scaled in with the rest.</summary>
    public bool KeepOnScaleIn { get; init; }
}
