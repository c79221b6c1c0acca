using System.Collections.Immutable;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;

/// <summary>
/// Karpenter's documented overhead rules for an AL2023 node without a kubelet override: memory capacity
/// loses the VM overhead (7.5 %, and 64 MiB of CMA on arm64), pods are limited by ENIs
/// (ENIs × (IPv4 per ENI − 1) + 2), kube-reserved takes cpu by core bands, 11 MiB per pod + 255 MiB and
/// 1 GiB of disk, and the eviction threshold takes 100 MiB and 10 % of the 20 GiB root volume.
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
    public static ResourceVector Capacity(Ec2CapacityFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return new ResourceVector(facts.VCpus * 1000L, MemoryCapacityMiB(facts) * MiB, MaxPods(facts), RootVolumeGiB * GiB, Extended(facts));
    }

    /// <summary>Capacity minus kube-reserved and the eviction threshold (system-reserved is empty by default).</summary>
    public static ResourceVector Allocatable(Ec2CapacityFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var pods = MaxPods(facts);
        var kubeReserved = new ResourceVector(KubeReservedMilliCpu(facts.VCpus), KubeReservedMemoryMiB(pods) * MiB, 0, 1 * GiB);
        // 10 % of the root volume, computed in bytes as Kubernetes does for a percentage threshold.
        var eviction = new ResourceVector(0, EvictionMemoryMiB * MiB, 0, RootVolumeGiB * GiB / 10);
        return Capacity(facts) - kubeReserved - eviction;
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
