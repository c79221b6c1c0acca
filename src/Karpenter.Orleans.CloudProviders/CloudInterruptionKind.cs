namespace Karpenter.Orleans.CloudProviders;

/// <summary>A cloud event about an instance, as EC2 sends them through EventBridge.</summary>
public enum CloudInterruptionKind
{
    SpotInterruption,
    Rebalance,
    ScheduledChange,
    Stopping,
    Terminated,
}
