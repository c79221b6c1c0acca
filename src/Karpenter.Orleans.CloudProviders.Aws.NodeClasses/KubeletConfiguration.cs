namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// The EC2NodeClass's <c>spec.kubelet</c> settings that change what a node holds (Karpenter v1): <c>maxPods</c>,
/// <c>podsPerCore</c>, and <c>kubeReserved</c> / <c>systemReserved</c> (cpu in millicores, memory and
/// ephemeral-storage in bytes; a resource not named keeps its default).
/// </summary>
public sealed record KubeletConfiguration(
    int? MaxPods = null,
    int? PodsPerCore = null,
    IReadOnlyDictionary<string, long>? KubeReserved = null,
    IReadOnlyDictionary<string, long>? SystemReserved = null)
{
    public static KubeletConfiguration None { get; } = new();
}
