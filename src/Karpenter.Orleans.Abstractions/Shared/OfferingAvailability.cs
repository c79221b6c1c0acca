namespace Karpenter.Orleans.Abstractions;

/// <summary>Offerings currently unavailable in a region; Version rises on every change.</summary>
[GenerateSerializer, Immutable]
public sealed record OfferingAvailability(
    IReadOnlyList<UnavailableOffering> Unavailable,
    long Version);
