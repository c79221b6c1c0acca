namespace Karpenter.Orleans.Abstractions;

/// <summary>One quota of an account in a region: its limit, vCPUs of running instances and vCPUs held for launches in flight.</summary>
[GenerateSerializer, Immutable]
public sealed record QuotaLine(
    string QuotaCode,
    int Limit,
    int InUse,
    int Reserved);
