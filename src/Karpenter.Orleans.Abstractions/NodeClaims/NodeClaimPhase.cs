namespace Karpenter.Orleans.Abstractions;

/// <summary>A NodeClaim's lifecycle, as Karpenter's conditions name it.</summary>
[GenerateSerializer]
public enum NodeClaimPhase
{
    Pending,
    Launched,
    Registered,
    Initialized,
    Drifted,
    Disrupting,
    Terminated,
}
