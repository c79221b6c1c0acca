using System.Collections.Immutable;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// Karpenter's documented overhead rules for an AL2023 node: memory capacity loses the VM overhead (7.5 %, and
/// 64 MiB of CMA on arm64), pods are limited by ENIs (ENIs × (IPv4 per ENI − 1) + 2), kube-reserved takes cpu by
/// core bands, 11 MiB per pod + 255 MiB and 1 GiB of disk, and the eviction threshold takes 100 MiB and 10 % of
/// the 20 GiB root volume. An EC2NodeClass's kubelet settings (<see cref="Ec2KubeletSettings"/>) change the pod
/// count (and with it the kube-reserved memory) and the reserved resources, as Karpenter applies them.
/// </summary>
public static class Ec2Allocatable
{
    public const decimal VmMemoryOverheadPercent = 0.075m;
    public const long ArmCmaMiB = 64;
    public const long RootVolumeGiB = 20;
    public const long EvictionMemoryMiB = 100;
    public const string NvidiaGpu = "nvidia.com/gpu";
    public const string Neuron = "aws.amazon.com/neuron";
    public const string NeuronCore = "aws.amazon.com/neuroncore";
    public const string Efa = "vpc.amazonaws.com/efa";

    private const long MiB = 1024 * 1024;
    private const long GiB = 1024 * MiB;

    /// <summary>The node's capacity as Karpenter expects it before the node reports its own.</summary>
    public static ResourceVector Capacity(Ec2CapacityFacts facts, Ec2KubeletSettings? kubelet = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return new ResourceVector(facts.VCpus * 1000L, MemoryCapacityMiB(facts) * MiB, Pods(facts, kubelet), RootVolumeGiB * GiB, Extended(facts));
    }

    /// <summary>Capacity minus kube-reserved, system-reserved (empty by default) and the eviction threshold.</summary>
    public static ResourceVector Allocatable(Ec2CapacityFacts facts, Ec2KubeletSettings? kubelet = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        kubelet ??= Ec2KubeletSettings.None;
        var pods = Pods(facts, kubelet);
        // Karpenter's default kube-reserved memory follows the pods the node will run, so maxPods moves it too.
        var kubeReserved = new ResourceVector(
            kubelet.KubeReservedMilliCpu ?? KubeReservedMilliCpu(facts.VCpus),
            kubelet.KubeReservedMemory ?? KubeReservedMemoryMiB(pods) * MiB,
            0,
            kubelet.KubeReservedEphemeralStorage ?? 1 * GiB);
        // 10 % of the root volume, computed in bytes as Kubernetes does for a percentage threshold.
        var eviction = new ResourceVector(0, EvictionMemoryMiB * MiB, 0, RootVolumeGiB * GiB / 10);
        var allocatable = Capacity(facts, kubelet) - kubeReserved - kubelet.SystemReserved - eviction;
        // Reservations larger than the machine leave nothing, never a negative amount.
        return new ResourceVector(Math.Max(0, allocatable.MilliCpu), Math.Max(0, allocatable.Memory), Math.Max(0, allocatable.Pods),
            Math.Max(0, allocatable.EphemeralStorage), allocatable.Extended);
    }

    /// <summary>
    /// The pods a node holds: the kubelet's maxPods when set, else the ENI limit; podsPerCore then caps it at
    /// that many per vCPU (Karpenter v1: <c>min(podsPerCore × vCPUs, pods)</c>).
    /// </summary>
    public static long Pods(Ec2CapacityFacts facts, Ec2KubeletSettings? kubelet = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var pods = kubelet?.MaxPods is { } max ? max : MaxPods(facts);
        return kubelet?.PodsPerCore is > 0 and var perCore ? Math.Min(pods, (long)perCore * facts.VCpus) : pods;
    }

    public static long MemoryCapacityMiB(Ec2CapacityFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var memory = facts.MemoryMiB - (facts.Architecture == "arm64" ? ArmCmaMiB : 0);
        return memory - (long)Math.Ceiling(memory * VmMemoryOverheadPercent);
    }

    /// <summary>The VPC CNI's limit: each ENI's primary address is not a pod address; two host-network pods are added.</summary>
    public static long MaxPods(Ec2CapacityFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return Math.Max(0, facts.MaxNetworkInterfaces * (long)(facts.Ipv4AddressesPerInterface - 1)) + 2;
    }

    /// <summary>6 % of the first core, 1 % of the second, 0.5 % of the third and fourth, 0.25 % of every further core.</summary>
    public static long KubeReservedMilliCpu(int vcpus)
    {
        // In tenths of a millicore so the 0.25 % band stays exact; rounded up so allocatable never overstates.
        long tenths = 0;
        for (var core = 1; core <= vcpus; core++)
        {
            tenths += core switch
            {
                1 => 600,
                2 => 100,
                3 or 4 => 50,
                _ => 25,
            };
        }

        return (tenths + 9) / 10;
    }

    public static long KubeReservedMemoryMiB(long pods) => (11 * pods) + 255;

    private static ImmutableSortedDictionary<string, long>? Extended(Ec2CapacityFacts facts)
    {
        var extended = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        // Extended resources are held in milli-units.
        if (facts.NvidiaGpus > 0)
        {
            extended[NvidiaGpu] = facts.NvidiaGpus * 1000L;
        }

        if (facts.NeuronDevices > 0)
        {
            extended[Neuron] = facts.NeuronDevices * 1000L;
            extended[NeuronCore] = facts.NeuronCores * 1000L;
        }

        if (facts.EfaInterfaces > 0)
        {
            extended[Efa] = facts.EfaInterfaces * 1000L;
        }

        return extended.Count == 0 ? null : extended.ToImmutable();
    }
}
