using k8s.Models;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;

namespace Karpenter.Orleans.Scheduling.Resources;

/// <summary>What a pod requests of its node, computed the way the solver and the kube-scheduler compute it.</summary>
public static class PodResourceRequests
{
    /// <summary>
    /// The larger of the app containers (with sidecars) and each init container's peak, plus the pod's
    /// overhead; a container with limits and no requests requests its limits. <see cref="ResourceVector.Pods"/> is 1.
    /// </summary>
    public static ResourceVector Of(V1PodSpec? spec) => PodRequests.Of(spec);
}
