using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// The kubelet settings of an EC2NodeClass (<c>spec.kubelet</c>, Karpenter v1) that change what a node of a
/// type can hold: <paramref name="MaxPods"/> replaces the ENI-limited pod count, <paramref name="PodsPerCore"/>
/// caps it at that many pods per vCPU (0 or unset: no cap), a <c>kubeReserved</c> value replaces the default
/// kube-reserved of its resource (cpu in millicores, memory and ephemeral storage in bytes; an unset one keeps
/// Karpenter's default), and <paramref name="SystemReserved"/> is taken off as given (nothing by default).
/// </summary>
public sealed record Ec2KubeletSettings(
    int? MaxPods = null,
    int? PodsPerCore = null,
    long? KubeReservedMilliCpu = null,
    long? KubeReservedMemory = null,
    long? KubeReservedEphemeralStorage = null,
    ResourceVector SystemReserved = default)
{
    /// <summary>No override: Karpenter's defaults.</summary>
    public static Ec2KubeletSettings None { get; } = new();

    public bool IsDefault => this == None;

    /// <summary>The settings of an EC2NodeClass's <c>spec.kubelet</c>.</summary>
    public static Ec2KubeletSettings From(KubeletConfiguration? kubelet)
    {
        if (kubelet is null)
        {
            return None;
        }

        var kube = kubelet.KubeReserved ?? new Dictionary<string, long>();
        var system = kubelet.SystemReserved ?? new Dictionary<string, long>();
        return new Ec2KubeletSettings(
            kubelet.MaxPods,
            kubelet.PodsPerCore,
            kube.TryGetValue("cpu", out var c) ? c : null,
            kube.TryGetValue("memory", out var m) ? m : null,
            kube.TryGetValue("ephemeral-storage", out var e) ? e : null,
            new ResourceVector(system.GetValueOrDefault("cpu"), system.GetValueOrDefault("memory"), 0, system.GetValueOrDefault("ephemeral-storage")));
    }
}
