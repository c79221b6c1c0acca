namespace Karpenter.Orleans.Agent;

/// <summary>
/// Tells the cluster's users, in Kubernetes' own terms, what the service decided: NodePool status (conditions, a
/// rejected NodePool's validation error among them, and resources), EC2NodeClass status, and Events on pods
/// (nominated to a NodeClaim, or why no capacity was launched), so <c>kubectl get</c> and <c>kubectl describe</c> answer.
/// </summary>
public interface IClusterFeedback
{
    Task PublishAsync(ClusterFeedbackInput input, CancellationToken cancellationToken);
}
