using System.Globalization;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// An EC2NodeClass's kubelet settings applied to a type of an offline catalog (karpo simulate), by the same
/// arithmetic the AWS provider applies to EC2's facts (<see cref="Ec2Allocatable"/>). The catalog has no ENI
/// limits, so its published pods (the ENI limit, Karpenter's default) stand in for them when maxPods is unset.
/// </summary>
public static class Ec2CatalogAllocatable
{
    private const string Prefix = "karpenter.k8s.aws/";

    /// <summary>
    /// The type's allocatable under <paramref name="kubelet"/>; null when the catalog lacks a fact it needs
    /// (the instance-cpu or instance-memory label, or the arch label).
    /// </summary>
    public static ResourceVector? Allocatable(InstanceType type, Ec2KubeletSettings kubelet)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(kubelet);
        if (Facts(type) is not { } facts)
        {
            return null;
        }

        var computed = Ec2Allocatable.Allocatable(facts, kubelet with { MaxPods = kubelet.MaxPods ?? (int)type.Allocatable.Pods });
        // Kubelet settings do not change extended resources; the catalog's are kept whole (it states EFA and
        // Neuron cores, which its labels do not).
        return new ResourceVector(computed.MilliCpu, computed.Memory, computed.Pods, computed.EphemeralStorage, type.Allocatable.Extended);
    }

    /// <summary>The capacity facts the catalog's labels state (no ENI limits: the catalog has none).</summary>
    public static Ec2CapacityFacts? Facts(InstanceType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var labels = type.Labels;
        if (!TryInt(labels, Prefix + "instance-cpu", out var vcpus) || !TryInt(labels, Prefix + "instance-memory", out var memoryMiB)
            || !labels.TryGetValue(WellKnownLabels.Arch, out var arch))
        {
            return null;
        }

        TryInt(labels, Prefix + "instance-gpu-count", out var gpus);
        TryInt(labels, Prefix + "instance-accelerator-count", out var accelerators);
        var nvidia = labels.GetValueOrDefault(Prefix + "instance-gpu-manufacturer") == "nvidia" ? gpus : 0;
        var neuron = labels.GetValueOrDefault(Prefix + "instance-accelerator-manufacturer") == "aws" ? accelerators : 0;
        return new Ec2CapacityFacts(type.Name, vcpus, memoryMiB, arch, 0, 0, nvidia, neuron);
    }

    private static bool TryInt(IReadOnlyDictionary<string, string> labels, string key, out int value)
    {
        value = 0;
        return labels.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
