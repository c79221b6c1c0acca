namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>The cloud events a node can be interrupted by, as Karpenter's interruption controller reads them.</summary>
public enum InterruptionType
{
    SpotInterruption,
    RebalanceRecommendation,
    ScheduledChange,
    InstanceStopping,
}
