using k8s.Models;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>A node in the planner's working copy of the cluster, with the pods bound to it now.</summary>
internal sealed class NodeEntry
{
    public NodeEntry(ClusterNode cluster) => Cluster = cluster;

    public ClusterNode Cluster { get; set; }

    public string Name => Cluster.Name;

    public List<V1Pod> Pods { get; } = [];

    /// <summary>A replacement this plan launches: capacity that holds its pods, not yet a candidate.</summary>
    public bool Launching { get; set; }

    /// <summary>Receives pods moved by an action of this pass, so it is no candidate in the same pass.</summary>
    public bool Touched { get; set; }

    /// <summary>Made or filled by an earlier pass of a convergence run: consolidateAfter is taken as elapsed.</summary>
    public bool Settled { get; set; }

    public double Price => Cluster.PricePerHour;

    // PlannerState.Room's cache: pods are only ever added to a node that stays, so their count tells a stale room.
    public ResourceVector Room { get; set; }

    public int RoomFor { get; set; } = -1;

    public V1Node? RoomOf { get; set; }
}
