namespace Karpenter.Orleans.Abstractions;

/// <summary>A notice from the cloud about one instance; Deadline is when it goes (two minutes after a spot interruption warning).</summary>
[GenerateSerializer, Immutable]
public sealed record InterruptionNotice(
    string InstanceId,
    InterruptionKind Kind,
    DateTimeOffset At,
    DateTimeOffset? Deadline = null);
