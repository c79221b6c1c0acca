namespace Karpenter.Orleans.Abstractions;

/// <summary>Ask to hold vCPUs of one quota for an in-flight launch; ReservationId is the NodeClaim, so a retry asks again for the same hold.</summary>
[GenerateSerializer, Immutable]
public sealed record QuotaRequest(
    string ReservationId,
    string QuotaCode,
    int Vcpus,
    string ClusterId);
