using k8s;

namespace Karpenter.Orleans.Agent.Kubernetes;

/// <summary>The cluster's API server as the agent reaches it: the configured kubeconfig, else the pod's service account.</summary>
public static class AgentKubernetes
{
    /// <summary>
    /// A client configuration from <see cref="AgentOptions.Kubeconfig"/> (its current context) or, when that is
    /// empty, in-cluster (the service account token is re-read by the client as it rotates).
    /// </summary>
    public static KubernetesClientConfiguration Configuration(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Kubeconfig is { Length: > 0 } kubeconfig)
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        }

        return KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : throw new InvalidOperationException($"{AgentOptions.Section}:Kubeconfig is empty and the agent is not running in a pod (no service account): set {AgentOptions.Section}:Kubeconfig");
    }
}
