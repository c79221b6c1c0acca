using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Grains.Telemetry;

/// <summary>
/// A cluster's per-node and per-pod series under Karpenter's names and labels (the ones its Grafana
/// dashboards group by), built from the cluster's view and published as one scope, so a node or pod
/// that went away loses its series at the next publish.
/// </summary>
internal static class ClusterSeries
{
    public static string Scope(string clusterId) => "cluster:" + clusterId;

    public static void Publish(string clusterId, IReadOnlyCollection<V1Node> nodes, IReadOnlyCollection<V1Pod> pods)
    {
        var byNode = nodes.Where(n => n.Metadata?.Name is not null).ToDictionary(n => n.Metadata.Name, StringComparer.Ordinal);
        var requests = new Dictionary<string, ResourceVector>(StringComparer.Ordinal);
        var daemonRequests = new Dictionary<string, ResourceVector>(StringComparer.Ordinal);
        var podsState = new List<Measurement<double>>(pods.Count);
        foreach (var pod in pods)
        {
            var nodeName = pod.Spec?.NodeName;
            var node = nodeName is null ? null : byNode.GetValueOrDefault(nodeName);
            podsState.Add(new Measurement<double>(1, PodTags(clusterId, pod, nodeName, node)));
            if (node is null || IsFinished(pod))
            {
                continue;
            }

            var r = PodResourceRequests.Of(pod.Spec);
            requests[nodeName!] = requests.GetValueOrDefault(nodeName!) + r;
            if (pod.Metadata?.OwnerReferences?.Any(o => o.Kind == "DaemonSet") == true)
            {
                daemonRequests[nodeName!] = daemonRequests.GetValueOrDefault(nodeName!) + r;
            }
        }

        var allocatable = new List<Measurement<double>>();
        var overhead = new List<Measurement<double>>();
        var podRequests = new List<Measurement<double>>();
        var daemon = new List<Measurement<double>>();
        foreach (var node in byNode.Values)
        {
            var name = node.Metadata.Name;
            var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
            var alloc = node.Status?.Allocatable ?? new Dictionary<string, ResourceQuantity>();
            var capacity = node.Status?.Capacity ?? new Dictionary<string, ResourceQuantity>();
            foreach (var (resource, quantity) in alloc)
            {
                allocatable.Add(new Measurement<double>(quantity.ToDouble(), NodeTags(clusterId, name, labels, resource)));
                if (capacity.TryGetValue(resource, out var total))
                {
                    overhead.Add(new Measurement<double>(Math.Max(0, total.ToDouble() - quantity.ToDouble()), NodeTags(clusterId, name, labels, resource)));
                }
            }

            AddRequests(podRequests, clusterId, name, labels, requests.GetValueOrDefault(name));
            AddRequests(daemon, clusterId, name, labels, daemonRequests.GetValueOrDefault(name));
        }

        var scope = Scope(clusterId);
        KarpoTelemetry.Gauges.Publish(MetricNames.NodesAllocatable, scope, allocatable);
        KarpoTelemetry.Gauges.Publish(MetricNames.NodesSystemOverhead, scope, overhead);
        KarpoTelemetry.Gauges.Publish(MetricNames.NodesTotalPodRequests, scope, podRequests);
        KarpoTelemetry.Gauges.Publish(MetricNames.NodesTotalDaemonRequests, scope, daemon);
        KarpoTelemetry.Gauges.Publish(MetricNames.PodsState, scope, podsState);
    }

    private static bool IsFinished(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    // Karpenter reports cpu in cores, memory and storage in bytes, and no "pods" entry for requests.
    private static void AddRequests(List<Measurement<double>> into, string clusterId, string node, IDictionary<string, string> labels, ResourceVector r)
    {
        into.Add(new Measurement<double>(r.MilliCpu / 1000.0, NodeTags(clusterId, node, labels, ResourceNames.Cpu)));
        into.Add(new Measurement<double>(r.Memory, NodeTags(clusterId, node, labels, ResourceNames.Memory)));
        into.Add(new Measurement<double>(r.EphemeralStorage, NodeTags(clusterId, node, labels, ResourceNames.EphemeralStorage)));
        foreach (var (name, value) in r.Extended ?? ImmutableSortedDictionary<string, long>.Empty)
        {
            into.Add(new Measurement<double>(value, NodeTags(clusterId, node, labels, name)));
        }
    }

    private static string Label(IDictionary<string, string> labels, string key) => labels.TryGetValue(key, out var value) ? value : "";

    private static KeyValuePair<string, object?>[] NodeTags(string clusterId, string node, IDictionary<string, string> labels, string resource) =>
    [
        new("cluster", clusterId),
        new("node_name", node),
        new("nodepool", Label(labels, WellKnownLabels.NodePool)),
        new("resource_type", resource),
        new("instance_type", Label(labels, WellKnownLabels.InstanceType)),
        new("capacity_type", Label(labels, WellKnownLabels.CapacityType)),
        new("zone", Label(labels, WellKnownLabels.Zone)),
        new("arch", Label(labels, WellKnownLabels.Arch)),
        new("os", Label(labels, WellKnownLabels.Os)),
    ];

    private static KeyValuePair<string, object?>[] PodTags(string clusterId, V1Pod pod, string? nodeName, V1Node? node)
    {
        var labels = node?.Metadata?.Labels ?? new Dictionary<string, string>();
        var owner = pod.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true) ?? pod.Metadata?.OwnerReferences?.FirstOrDefault();
        return
        [
            new("cluster", clusterId),
            new("name", pod.Metadata?.Name ?? ""),
            new("namespace", pod.Metadata?.NamespaceProperty ?? "default"),
            new("owner", owner is null ? "" : $"{owner.Kind}/{owner.Name}"),
            new("node", nodeName ?? ""),
            new("nodepool", Label(labels, WellKnownLabels.NodePool)),
            new("zone", Label(labels, WellKnownLabels.Zone)),
            new("arch", Label(labels, WellKnownLabels.Arch)),
            new("capacity_type", Label(labels, WellKnownLabels.CapacityType)),
            new("instance_type", Label(labels, WellKnownLabels.InstanceType)),
            new("phase", pod.Status?.Phase ?? (string.IsNullOrEmpty(nodeName) ? "Pending" : "Unknown")),
        ];
    }
}
