namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// A NodeClaim's lifecycle, as Karpenter's conditions name it. A claim being deleted goes Disrupting (its
/// node tainted) → Draining (its pods evicted) → Terminating (its instance terminated, its Node deleted) →
/// Terminated. Phases only move forward, in declaration order (a given-up disruption moves a claim back
/// from Disrupting). Stored by name, so members may be inserted in order.
/// </summary>
[GenerateSerializer]
public enum NodeClaimPhase
{
    Pending,
    Launched,
    Registered,
    Initialized,
    Drifted,
    Disrupting,
    Draining,
    Terminating,
    Terminated,
}
