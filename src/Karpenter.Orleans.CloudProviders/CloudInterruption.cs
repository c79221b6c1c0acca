namespace Karpenter.Orleans.CloudProviders;

/// <summary>An event about one instance; Deadline is when the instance goes (two minutes after a spot interruption warning).</summary>
public sealed record CloudInterruption(
    string InstanceId,
    string Region,
    CloudInterruptionKind Kind,
    DateTimeOffset At,
    DateTimeOffset? Deadline);
