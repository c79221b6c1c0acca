using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Agent;

/// <summary>
/// Tells the cluster's users, in Kubernetes' own terms, what the service decided: NodePool status conditions
/// (a rejected NodePool's validation error among them) and Events on pods (nominated to a NodeClaim, or why no
/// capacity was launched), so <c>kubectl describe</c> answers.
/// </summary>
public interface IClusterFeedback
{
    Task PublishAsync(IReadOnlyList<NodePoolStatus> nodePools, IReadOnlyList<PendingPod> pending, CancellationToken cancellationToken);
}
