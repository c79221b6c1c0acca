namespace Karpenter.Orleans.Abstractions;

/// <summary>Whether a hold was granted, and the quota's state after the decision.</summary>
[GenerateSerializer, Immutable]
public sealed record QuotaDecision(
    bool Granted,
    string QuotaCode,
    int Limit,
    int InUse,
    int Reserved,
    string? Reason);
