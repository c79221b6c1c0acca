using k8s.Models;

namespace Karpenter.Orleans.Simulation;

/// <summary>A pod of a simulated cluster with what the simulation tracks about it.</summary>
internal sealed class PodEntry(V1Pod pod, string workload, long ordinal, DateTimeOffset createdAt)
{
    public V1Pod Pod { get; } = pod;

    public string Workload { get; } = workload;

    /// <summary>Creation order within the cluster: scale-down removes the newest first, as ReplicaSets do.</summary>
    public long Ordinal { get; } = ordinal;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset? BoundAt { get; set; }

    public string? NodeName => Pod.Spec.NodeName;

    /// <summary>A DaemonSet's pod: it belongs to its node, and no workload recreates it.</summary>
    public bool IsDaemon => Pod.Metadata.OwnerReferences?.Any(o => o.Kind == "DaemonSet") == true;

    public string Key => $"{Pod.Metadata.NamespaceProperty}/{Pod.Metadata.Name}";
}
