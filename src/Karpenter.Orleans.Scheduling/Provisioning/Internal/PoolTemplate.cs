using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>A NodePool compiled for the solver: its requirements, usable types, DaemonSet overhead per type and limits.</summary>
internal sealed class PoolTemplate
{
    public required int Index { get; init; }

    public required NodePool Pool { get; init; }

    public required RequirementSet Requirements { get; init; }

    /// <summary>Types compatible with the template that have an available offering it allows.</summary>
    public required TypeSet Types { get; init; }

    /// <summary>DaemonSet requests on a new node of each type.</summary>
    public required ResourceVector[] Overhead { get; init; }

    /// <summary>Allocatable minus DaemonSet overhead, per type: the room pods have.</summary>
    public required ResourceVector[] Room { get; init; }

    public required List<HostPort> DaemonPorts { get; init; }

    /// <summary>Limited resources (name, limit) other than nodes.</summary>
    public required List<(string Name, long Limit)> Limits { get; init; }

    public required long? NodeLimit { get; init; }

    /// <summary>Capacity of existing nodes of this pool.</summary>
    public ResourceVector InUse { get; set; }

    public int NodesInUse { get; set; }

    /// <summary>Cheapest available offering price per type under the template's requirements.</summary>
    public required double[] Price { get; init; }

    /// <summary>The pool's types ordered by <see cref="Price"/>, cheapest first.</summary>
    public required int[] TypesByPrice { get; init; }

    /// <summary>Component-wise largest capacity among the pool's types: limits below it are tight.</summary>
    public required ResourceVector MaxCapacity { get; init; }

    public IEnumerable<V1Taint> Taints => Pool.Taints;

    public string Name => Pool.Name;
}
