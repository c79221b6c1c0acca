using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Agent.Kubernetes;

/// <summary>A resource the agent lists and watches across all namespaces, at <see cref="Path"/> under the API server.</summary>
/// <param name="Kind">What the service calls its objects.</param>
/// <param name="Path">The collection, e.g. <c>api/v1/pods</c> or <c>apis/karpenter.sh/v1/nodepools</c>.</param>
/// <param name="Namespaced">Whether its objects live in namespaces.</param>
/// <param name="Optional">A CRD that may not be installed: a 404 is waited out, not an error.</param>
public sealed record WatchedResource(ObjectKind Kind, string Path, bool Namespaced, bool Optional)
{
    /// <summary>Everything the service needs to know of a cluster.</summary>
    public static IReadOnlyList<WatchedResource> All { get; } =
    [
        new(ObjectKind.Pod, "api/v1/pods", Namespaced: true, Optional: false),
        new(ObjectKind.Node, "api/v1/nodes", Namespaced: false, Optional: false),
        new(ObjectKind.DaemonSet, "apis/apps/v1/daemonsets", Namespaced: true, Optional: false),
        new(ObjectKind.PodDisruptionBudget, "apis/policy/v1/poddisruptionbudgets", Namespaced: true, Optional: false),
        new(ObjectKind.NodePool, "apis/karpenter.sh/v1/nodepools", Namespaced: false, Optional: true),
        new(ObjectKind.NodeClass, "apis/karpenter.k8s.aws/v1/ec2nodeclasses", Namespaced: false, Optional: true),
    ];
}
