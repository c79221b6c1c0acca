namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>A notice from the cloud about a node's instance: what it is and when it takes effect.</summary>
public sealed record NodeInterruption(InterruptionType Type, DateTimeOffset Deadline);
