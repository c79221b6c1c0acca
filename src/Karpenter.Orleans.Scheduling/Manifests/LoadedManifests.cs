using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>What the manifests describe: NodePools, pods (workloads expanded), nodes, DaemonSets, PDBs, node classes.</summary>
public sealed record LoadedManifests
{
    public IReadOnlyList<NodePool> NodePools { get; init; } = [];

    /// <summary>Pending pods (workloads expanded to name-i) and pods bound to nodes by spec.nodeName, in input order.</summary>
    public IReadOnlyList<V1Pod> Pods { get; init; } = [];

    public IReadOnlyList<V1Node> Nodes { get; init; } = [];

    public IReadOnlyList<V1DaemonSet> DaemonSets { get; init; } = [];

    public IReadOnlyList<V1PodDisruptionBudget> PodDisruptionBudgets { get; init; } = [];

    /// <summary>Node class objects (EC2NodeClass, ...), unparsed: the cloud's parser reads and checks them.</summary>
    public IReadOnlyList<NodeClassObject> NodeClasses { get; init; } = [];

    /// <summary>Where each NodePool was read, by name, for errors found after loading (a missing node class).</summary>
    public IReadOnlyDictionary<string, ManifestLocation> NodePoolLocations { get; init; } = new Dictionary<string, ManifestLocation>();

    /// <summary>The solver input for these manifests on <paramref name="catalog"/>; no NodePool means the default one.</summary>
    public SchedulingInput ToInput(InstanceTypeCatalog catalog) => new()
    {
        Catalog = catalog,
        NodePools = NodePools.Count > 0 ? NodePools : [new NodePool { Name = "default" }],
        Pods = Pods,
        Nodes = Nodes,
        DaemonSets = DaemonSets,
        PodDisruptionBudgets = PodDisruptionBudgets,
    };
}
