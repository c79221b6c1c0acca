namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>Karpenter's disruption reasons: what budgets' <c>reasons</c> name and what the disruption metrics label.</summary>
public enum DisruptionReason
{
    Empty,
    Drifted,
    Underutilized,
    Expired,
    Interrupted,
}
