namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>The cluster's persisted index entry for one of its NodeClaims: the claim's status plus what the cluster needs of it.</summary>
public sealed class ClaimEntry : NodeClaimStatus
{
    public string NodePool { get; set; } = "";

    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    public List<string> Taints { get; set; } = [];

    /// <summary>Pods (namespace/name) planned onto the claim, so nominations survive a restart of the cluster grain.</summary>
    public List<string> Pods { get; set; } = [];

    /// <summary>Hash of the NodePool template the claim was made from; a different current hash means drift.</summary>
    public string? TemplateHash { get; set; }

    /// <summary>The id of the taint command not yet acknowledged, or null.</summary>
    public string? TaintCommand { get; set; }

    /// <summary>Taint commands issued so far (numbering their ids).</summary>
    public int TaintAttempts { get; set; }

    /// <summary>The agent confirmed the karpenter.sh/disrupted taint is on the node.</summary>
    public bool Tainted { get; set; }

    /// <summary>
    /// When the cloud takes the instance away, for a notice that has a deadline (spot interruption, scheduled
    /// change, stopping; a notice without one means now); null without a notice or for a rebalance recommendation.
    /// </summary>
    public DateTimeOffset? InterruptionDeadline =>
        Interruption is { Kind: InterruptionKind.SpotInterruption or InterruptionKind.ScheduledChange or InterruptionKind.Stopping } n ? n.Deadline ?? n.At : null;

    /// <summary>Being taken away (Disrupting, Draining or Terminating): nothing new is placed on it.</summary>
    public bool IsDisrupting => Phase is NodeClaimPhase.Disrupting or NodeClaimPhase.Draining or NodeClaimPhase.Terminating;

    /// <summary>Launched or launching but not yet a node: capacity the provisioner counts as coming.</summary>
    public bool InFlight => Phase is NodeClaimPhase.Pending or NodeClaimPhase.Launched && NodeName is null;
}
