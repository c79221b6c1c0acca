using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Agent;

/// <summary>
/// Makes the cluster's <c>karpenter.sh/v1</c> NodeClaim objects, and the Nodes they became, match the
/// service's NodeClaims: creates missing objects, mirrors their status, labels and taints a registered Node
/// from its claim, and deletes the objects of claims the service no longer has.
/// </summary>
public interface INodeClaimReconciler
{
    Task ReconcileAsync(IReadOnlyList<NodeClaimInfo> claims, CancellationToken cancellationToken);
}
