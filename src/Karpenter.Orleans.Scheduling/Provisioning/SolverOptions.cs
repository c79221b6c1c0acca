namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>Knobs of one solve. Defaults follow Karpenter.</summary>
public sealed record SolverOptions
{
    public static readonly SolverOptions Default = new();

    public MinValuesPolicy MinValuesPolicy { get; init; } = MinValuesPolicy.Strict;

    public PreferencePolicy PreferencePolicy { get; init; } = PreferencePolicy.Respect;

    /// <summary>How many instance types a planned claim reports (cheapest first), as Karpenter sends per launch.</summary>
    public int MaxInstanceTypes { get; init; } = 60;

    /// <summary>
    /// After the first feasible (Karpenter-like) plan, pack again aiming new claims at cheaper type mixes
    /// and keep the cheapest plan. Deterministic: no wall-clock budget decides the result.
    /// </summary>
    public bool Improve { get; init; } = true;

    /// <summary>
    /// Place pods on existing nodes only and plan no NodeClaims, as kube-scheduler binds pods to the
    /// nodes there are (used by the simulated cluster's scheduler). Pods that fit nowhere stay unschedulable.
    /// </summary>
    public bool ExistingCapacityOnly { get; init; }

    /// <summary>
    /// With <see cref="ExistingCapacityOnly"/>: the topology domains a NodePool could launch a claim in count as
    /// domains too, though no claim is launched, as Karpenter's consolidation simulation counts them (kube-scheduler
    /// counts only the domains of the nodes there are). The disruption planner's delete checks set it, so a
    /// zonal spread cannot collapse into the zones that keep nodes when a zone's last node goes.
    /// </summary>
    public bool NodePoolTopologyDomains { get; init; }

    /// <summary>Compute the LP lower bound on cost and report the gap.</summary>
    public bool ComputeLowerBound { get; init; }
}
