namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>The planner's methods, in the order Karpenter tries them; only the first that acts does.</summary>
public enum DisruptionMethod
{
    Emptiness,
    Drift,
    Expiration,
    Interruption,
    MultiNodeConsolidation,
    SingleNodeConsolidation,
}
