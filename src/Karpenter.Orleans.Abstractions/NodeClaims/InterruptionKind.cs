namespace Karpenter.Orleans.Abstractions;

/// <summary>Why the cloud is taking an instance away, as EC2's events name it.</summary>
[GenerateSerializer]
public enum InterruptionKind
{
    SpotInterruption,
    Rebalance,
    ScheduledChange,
    Stopping,
    Terminated,
}
