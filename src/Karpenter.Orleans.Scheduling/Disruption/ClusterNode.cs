using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// A node as the disruption planner sees it: the Node object (labels, taints, allocatable, annotations) and
/// what its NodeClaim says about it. Only nodes with a <see cref="NodeClaim"/> are Karpenter's to disrupt;
/// others count as capacity pods can move to.
/// </summary>
public sealed record ClusterNode
{
    public required V1Node Node { get; init; }

    /// <summary>The managing NodeClaim's name; null for a node Karpenter did not launch.</summary>
    public string? NodeClaim { get; init; }

    public string? NodePool { get; init; }

    public string? InstanceType { get; init; }

    public string? Zone { get; init; }

    public string? CapacityType { get; init; }

    /// <summary>What the node costs per hour now (its offering's price).</summary>
    public double PricePerHour { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the claim became Initialized; null while it is not (never a candidate then).</summary>
    public DateTimeOffset? InitializedAt { get; init; }

    /// <summary>When a pod last bound to or left the node; consolidateAfter counts from here (or from initialization).</summary>
    public DateTimeOffset? LastPodEventAt { get; init; }

    /// <summary>Set when the claim no longer matches its NodePool; the text says how.</summary>
    public string? Drifted { get; init; }

    /// <summary>Already being disrupted or deleted: not a candidate, and its pods need a new home.</summary>
    public bool Deleting { get; init; }

    /// <summary>Pending pods are nominated to it: not a candidate (Karpenter's rule).</summary>
    public bool Nominated { get; init; }

    /// <summary>The cloud announced it will take the instance away (spot interruption, scheduled change, stop).</summary>
    public NodeInterruption? Interruption { get; init; }

    public string Name => Node.Metadata?.Name ?? "";
}
