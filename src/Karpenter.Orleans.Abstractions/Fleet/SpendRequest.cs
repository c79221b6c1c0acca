namespace Karpenter.Orleans.Abstractions;

/// <summary>One NodeClaim's hourly price to hold against the fleet's spend cap.</summary>
[GenerateSerializer, Immutable]
public sealed record SpendRequest(string NodeClaim, double PricePerHour);
