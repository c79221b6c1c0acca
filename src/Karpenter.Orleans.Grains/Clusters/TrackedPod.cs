using k8s.Models;

namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>A pod as the cluster grain tracks it: the object, when it started waiting, why, and its nominated NodeClaim.</summary>
internal sealed class TrackedPod(V1Pod pod, DateTimeOffset seen)
{
    public V1Pod Pod { get; set; } = pod;

    public DateTimeOffset FirstSeen { get; } = seen;

    public DateTimeOffset? PendingSince { get; set; }

    public string Reason { get; set; } = "waiting for the next provisioning batch";

    /// <summary>The in-flight NodeClaim the provisioner planned this pod onto.</summary>
    public string? NodeClaim { get; set; }

    /// <summary>Why provisioning leaves this pod out (runs failed with it), or null. Lifted when the pod changes.</summary>
    public string? Quarantine { get; set; }

    /// <summary>The pod's JSON when it was quarantined: an upsert of the same pod keeps the quarantine.</summary>
    public string? QuarantinedAs { get; set; }

    public bool IsDaemon => Pod.Metadata?.OwnerReferences?.Any(o => o.Kind == "DaemonSet") == true;

    public bool IsBound => !string.IsNullOrEmpty(Pod.Spec?.NodeName);

    public bool IsPending => !IsBound && Pod.Metadata?.DeletionTimestamp is null && !IsDaemon;

    public string Key => $"{Pod.Metadata?.NamespaceProperty ?? "default"}/{Pod.Metadata?.Name}";
}
