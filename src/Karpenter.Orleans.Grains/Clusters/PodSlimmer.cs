using System.Collections.Concurrent;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>
/// Keeps of a pod only what scheduling reads: identity, labels, owners, requests and limits, host ports,
/// selectors, affinity, tolerations and spread. A pod as the API serves it (status, env, probes, volumes,
/// managed fields) is ten times larger; a silo holding a fleet's pods keeps the small form. Strings and
/// quantities that repeat across pods (label keys and values, resource amounts) are shared.
/// </summary>
internal static class PodSlimmer
{
    private const string MirrorAnnotation = "kubernetes.io/config.mirror";

    private static readonly ConcurrentDictionary<string, ResourceQuantity> Quantities = new(StringComparer.Ordinal);

    public static V1Pod Slim(V1Pod pod)
    {
        var meta = pod.Metadata;
        var spec = pod.Spec;
        return new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = meta.Name,
                NamespaceProperty = Share(meta.NamespaceProperty),
                Labels = ShareAll(meta.Labels),
                Annotations = KeptAnnotations(meta.Annotations),
                OwnerReferences = meta.OwnerReferences?.Select(o => new V1OwnerReference
                {
                    ApiVersion = Share(o.ApiVersion),
                    Kind = Share(o.Kind),
                    Name = Share(o.Name),
                    Uid = o.Uid,
                    Controller = o.Controller,
                }).ToList(),
                CreationTimestamp = meta.CreationTimestamp,
                DeletionTimestamp = meta.DeletionTimestamp,
            },
            Spec = new V1PodSpec
            {
                NodeName = spec.NodeName,
                NodeSelector = ShareAll(spec.NodeSelector),
                Affinity = spec.Affinity,
                Tolerations = spec.Tolerations,
                TopologySpreadConstraints = spec.TopologySpreadConstraints,
                Overhead = ShareQuantities(spec.Overhead),
                HostNetwork = spec.HostNetwork,
                SchedulerName = Share(spec.SchedulerName),
                Priority = spec.Priority,
                // The drain evicts critical pods last.
                PriorityClassName = Share(spec.PriorityClassName),
                Containers = spec.Containers?.Select(SlimContainer).ToList(),
                InitContainers = spec.InitContainers?.Select(SlimContainer).ToList(),
            },
            Status = pod.Status?.Phase is { } phase ? new V1PodStatus { Phase = Share(phase) } : null,
        };
    }

    /// <summary>do-not-disrupt (the planner and the drain honour it) and the kubelet's mirror mark (a static pod is never evicted).</summary>
    private static Dictionary<string, string>? KeptAnnotations(IDictionary<string, string>? annotations)
    {
        if (annotations is null)
        {
            return null;
        }

        Dictionary<string, string>? kept = null;
        foreach (var key in (ReadOnlySpan<string>)[WellKnownLabels.DoNotDisruptAnnotation, MirrorAnnotation])
        {
            if (annotations.TryGetValue(key, out var value))
            {
                (kept ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = value;
            }
        }

        return kept;
    }

    /// <summary>A node without its image list, addresses and most conditions: labels, taints, providerID, capacity, Ready.</summary>
    public static V1Node Slim(V1Node node) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = node.Metadata.Name,
            Labels = ShareAll(node.Metadata.Labels),
            Annotations = node.Metadata.Annotations?.TryGetValue(WellKnownLabels.DoNotDisruptAnnotation, out var dnd) == true
                ? new Dictionary<string, string> { [WellKnownLabels.DoNotDisruptAnnotation] = dnd }
                : null,
            DeletionTimestamp = node.Metadata.DeletionTimestamp,
        },
        Spec = node.Spec is null ? null : new V1NodeSpec { ProviderID = node.Spec.ProviderID, Taints = node.Spec.Taints, Unschedulable = node.Spec.Unschedulable },
        Status = node.Status is null ? null : new V1NodeStatus
        {
            Capacity = ShareQuantities(node.Status.Capacity),
            Allocatable = ShareQuantities(node.Status.Allocatable),
            Conditions = node.Status.Conditions?.Where(c => c.Type == "Ready").ToList(),
        },
    };

    private static V1Container SlimContainer(V1Container c) => new()
    {
        Name = Share(c.Name),
        RestartPolicy = c.RestartPolicy,
        Resources = c.Resources is null ? null : new V1ResourceRequirements
        {
            Requests = ShareQuantities(c.Resources.Requests),
            Limits = ShareQuantities(c.Resources.Limits),
        },
        // Host ports reserve the port on the node; container-only ports do not matter to scheduling.
        Ports = c.Ports?.Where(p => p.HostPort is > 0).ToList() is { Count: > 0 } ports ? ports : null,
    };

    // A bounded pool rather than string.Intern: values unique to one pod (a StatefulSet pod's name label)
    // would otherwise stay in memory for the life of the process.
    private const int MaxShared = 200_000;
    private static readonly ConcurrentDictionary<string, string> Strings = new(StringComparer.Ordinal);

    private static string Share(string value)
    {
        if (value is null)
        {
            return null!;
        }

        if (Strings.TryGetValue(value, out var shared))
        {
            return shared;
        }

        return Strings.Count < MaxShared ? Strings.GetOrAdd(value, value) : value;
    }

    private static Dictionary<string, string>? ShareAll(IDictionary<string, string>? map) =>
        map?.ToDictionary(p => Share(p.Key), p => Share(p.Value), StringComparer.Ordinal);

    private static Dictionary<string, ResourceQuantity>? ShareQuantities(IDictionary<string, ResourceQuantity>? map) =>
        map?.ToDictionary(p => Share(p.Key), p => Quantities.Count < MaxShared ? Quantities.GetOrAdd(p.Value.ToString(), _ => p.Value) : p.Value, StringComparer.Ordinal);
}
