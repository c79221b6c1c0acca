namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>What <see cref="SpendCap.Admit"/> decided: the claims to create, in plan order, and the ones held back.</summary>
public sealed record SpendCapAdmission(IReadOnlyList<PlannedNodeClaim> Admitted, IReadOnlyList<HeldNodeClaim> Held);
