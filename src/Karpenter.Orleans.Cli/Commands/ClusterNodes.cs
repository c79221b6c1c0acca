using System.Globalization;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Cli.Commands;

/// <summary>
/// Turns the Nodes of the manifests into the disruption planner's <see cref="ClusterNode"/>s: the
/// <c>karpenter.sh/nodepool</c> label makes a node Karpenter's, its instance-type, zone and capacity-type
/// labels pick the catalog offering that prices it.
/// </summary>
internal static class ClusterNodes
{
    public const string NodeClaimKind = "NodeClaim";

    public static DisruptionInput ToDisruptionInput(LoadedManifests manifests, InstanceTypeCatalog catalog, DateTimeOffset now, IReadOnlyList<string> paths)
    {
        var types = catalog.InstanceTypes.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var nodes = manifests.Nodes.Select(n => From(n, types, now, paths)).ToList();
        return new DisruptionInput
        {
            Catalog = catalog,
            NodePools = manifests.NodePools.Count > 0 ? manifests.NodePools : [new NodePool { Name = "default" }],
            Nodes = nodes,
            Pods = manifests.Pods,
            DaemonSets = manifests.DaemonSets,
            PodDisruptionBudgets = manifests.PodDisruptionBudgets,
            Now = now,
        };
    }

    private static ClusterNode From(V1Node node, Dictionary<string, InstanceType> types, DateTimeOffset now, IReadOnlyList<string> paths)
    {
        var name = node.Metadata?.Name ?? "";
        var labels = node.Metadata?.Labels ?? new Dictionary<string, string>();
        var nodePool = Label(labels, WellKnownLabels.NodePool);
        var managed = nodePool is not null;
        var instanceType = Label(labels, WellKnownLabels.InstanceType);
        var zone = Label(labels, WellKnownLabels.Zone);
        // A node Karpenter did not launch may not say; on-demand is what such node groups usually are.
        var capacityType = Label(labels, WellKnownLabels.CapacityType) ?? (managed ? null : CapacityTypes.OnDemand);

        double price = 0;
        if (managed || instanceType is not null)
        {
            var type = instanceType is null
                ? throw Error(paths, name, LabelField(WellKnownLabels.InstanceType), "required on a node of a NodePool (it prices the node)")
                : types.GetValueOrDefault(instanceType) ??
                  throw Error(paths, name, LabelField(WellKnownLabels.InstanceType), $"instance type \"{instanceType}\" is not in the catalog");
            if (zone is null)
            {
                throw Error(paths, name, LabelField(WellKnownLabels.Zone), "required to price the node");
            }

            if (capacityType is null)
            {
                throw Error(paths, name, LabelField(WellKnownLabels.CapacityType), "required on a node of a NodePool (it prices the node)");
            }

            // An offering that is unavailable today still says what the running node costs.
            var offering = type.Offerings.FirstOrDefault(o => o.Zone == zone && o.CapacityType == capacityType) ??
                throw Error(paths, name, LabelField(WellKnownLabels.InstanceType),
                    $"the catalog has no {capacityType} offering of {instanceType} in zone {zone}");
            price = offering.Price;
        }

        var createdAt = node.Metadata?.CreationTimestamp is { } created ? Utc(created) : now;
        return new ClusterNode
        {
            Node = node,
            NodeClaim = managed ? ClaimName(node) : null,
            NodePool = nodePool,
            InstanceType = instanceType,
            Zone = zone,
            CapacityType = capacityType,
            PricePerHour = price,
            CreatedAt = createdAt,
            InitializedAt = IsReady(node) ? createdAt : null,
            Deleting = node.Metadata?.DeletionTimestamp is not null,
        };
    }

    /// <summary>Karpenter owns a Node by its NodeClaim; without that reference the claim is named like the node.</summary>
    private static string ClaimName(V1Node node) =>
        node.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Kind == NodeClaimKind && !string.IsNullOrEmpty(o.Name))?.Name
        ?? node.Metadata?.Name ?? "";

    /// <summary>Ready=True, or no conditions at all (a manifest written by hand).</summary>
    private static bool IsReady(V1Node node) =>
        node.Status?.Conditions is not { Count: > 0 } conditions ||
        conditions.Any(c => c.Type == "Ready" && string.Equals(c.Status, "True", StringComparison.OrdinalIgnoreCase));

    private static DateTimeOffset Utc(DateTime time) =>
        new(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime());

    private static string? Label(IDictionary<string, string> labels, string key) =>
        labels.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private static string LabelField(string key) => string.Create(CultureInfo.InvariantCulture, $"metadata.labels[\"{key}\"]");

    private static ManifestException Error(IReadOnlyList<string> paths, string node, string field, string problem) =>
        NodeLocator.Find(paths, node) is var (file, document)
            ? new ManifestException(file, document, "Node", node, field, problem)
            : new ManifestException(string.Join(", ", paths), null, "Node", node, field, $"Node {node}: {problem}");
}
