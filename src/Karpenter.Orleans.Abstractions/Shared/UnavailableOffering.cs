namespace Karpenter.Orleans.Abstractions;

/// <summary>An offering that recently failed to launch, unavailable to every cluster of the region until Until.</summary>
[GenerateSerializer, Immutable]
public sealed record UnavailableOffering(
    OfferingKey Offering,
    string Reason,
    DateTimeOffset Until,
    string ReportedBy);
