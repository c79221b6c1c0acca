namespace Karpenter.Orleans.Abstractions;

/// <summary>How often a spot pool has been interrupted, learned from every cluster: interruptions per launch.</summary>
[GenerateSerializer, Immutable]
public sealed record SpotPoolRate(
    string InstanceType,
    string Zone,
    int Launches,
    int Interruptions,
    double InterruptionRate);
