namespace Karpenter.Orleans.Grains.Clusters.Disruption;

/// <summary>A node a queued disruption takes away: its NodeClaim, and the phase it returns to if the disruption is given up.</summary>
public sealed class DisruptionCandidate
{
    public string Claim { get; set; } = "";

    public string Node { get; set; } = "";

    public NodeClaimPhase PreviousPhase { get; set; }
}
