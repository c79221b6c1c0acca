namespace Karpenter.Orleans.Abstractions;

/// <summary>Whether a launch fits under the fleet's spend cap.</summary>
[GenerateSerializer, Immutable]
public sealed record SpendDecision(
    bool Granted,
    double CommittedPerHour,
    double? SpendCapPerHour,
    string? Reason);
