namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>Pods newly placed on an in-flight NodeClaim (<see cref="SchedulingInput.NodeClaims"/>), by the claim's name.</summary>
public sealed record NodeClaimPlacement(string NodeClaim, IReadOnlyList<string> Pods);
