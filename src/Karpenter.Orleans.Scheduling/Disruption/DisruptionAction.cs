using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// One command of the plan: the nodes to take away, the NodeClaims to launch first (a replace) or none (a
/// delete), what it saves per hour, and where each disrupted pod goes, proven by re-running the
/// provisioning solver. An expiration is always a delete that does not wait: its
/// <see cref="Replacements"/> are what provisioning will launch for the pods afterwards, listed so the bill
/// is honest. A hard interruption is a replace that must not wait past the interruption's deadline.
/// </summary>
public sealed record DisruptionAction
{
    public required DisruptionMethod Method { get; init; }

    public required DisruptionReason Reason { get; init; }

    public required DisruptionActionKind Kind { get; init; }

    /// <summary>Node names, in the order the planner chose them.</summary>
    public required IReadOnlyList<string> Nodes { get; init; }

    /// <summary>New NodeClaims, named uniquely within the plan; <see cref="PodMove.To"/> refers to them by name.</summary>
    public IReadOnlyList<PlannedNodeClaim> Replacements { get; init; } = [];

    /// <summary>Price of the nodes minus price of the replacements; may be negative for drift and expiration.</summary>
    public required double SavingPerHour { get; init; }

    public IReadOnlyList<PodMove> Moves { get; init; } = [];
}
