namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>The planner's methods, in the order they are tried; after each action the planner starts again from the first.</summary>
public enum DisruptionMethod
{
    Emptiness,
    Drift,
    Expiration,
    Interruption,
    MultiNodeConsolidation,
    SingleNodeConsolidation,
}
