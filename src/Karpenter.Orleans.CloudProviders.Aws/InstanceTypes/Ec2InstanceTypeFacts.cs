using System.Globalization;
using Amazon.EC2.Model;
using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;

/// <summary>Reads an EC2 <see cref="InstanceTypeInfo"/> into capacity facts and Karpenter's well-known labels.</summary>
internal static class Ec2InstanceTypeFacts
{
    private const string Prefix = "karpenter.k8s.aws/";

    public static string Architecture(InstanceTypeInfo info)
    {
        var archs = info.ProcessorInfo?.SupportedArchitectures ?? [];
        return archs.Contains("arm64") && !archs.Contains("x86_64") ? "arm64" : "amd64";
    }

    public static Ec2CapacityFacts Capacity(InstanceTypeInfo info)
    {
        var network = info.NetworkInfo;
        // Karpenter counts the ENIs of the default network card only (p4d: 15 of 60).
        var enis = network?.MaximumNetworkInterfaces ?? 0;
        if (network?.NetworkCards is { Count: > 0 } cards
            && cards.FirstOrDefault(c => c.NetworkCardIndex == (network.DefaultNetworkCardIndex ?? 0)) is { MaximumNetworkInterfaces: { } cardEnis })
        {
            enis = cardEnis;
        }

        var gpus = info.GpuInfo?.Gpus ?? [];
        var nvidia = gpus.Where(g => string.Equals(g.Manufacturer, "NVIDIA", StringComparison.OrdinalIgnoreCase)).Sum(g => g.Count ?? 0);
        var neuron = info.NeuronInfo?.NeuronDevices ?? [];
        return new Ec2CapacityFacts(
            info.InstanceType.Value,
            info.VCpuInfo?.DefaultVCpus ?? 0,
            info.MemoryInfo?.SizeInMiB ?? 0,
            Architecture(info),
            enis,
            network?.Ipv4AddressesPerInterface ?? 0,
            nvidia,
            neuron.Sum(d => d.Count ?? 0),
            neuron.Sum(d => (d.Count ?? 0) * (d.CoreInfo?.Count ?? 0)),
            network?.EfaSupported == true ? network.EfaInfo?.MaximumEfaInterfaces ?? 0 : 0);
    }

    /// <summary>The labels Karpenter gives a node of this type, where EC2 states the fact.</summary>
    public static Dictionary<string, string> Labels(InstanceTypeInfo info)
    {
        var name = info.InstanceType.Value;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [WellKnownLabels.InstanceType] = name,
            [WellKnownLabels.Arch] = Architecture(info),
            [WellKnownLabels.Os] = "linux",
        };

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var family = dot < 0 ? name : name[..dot];
        labels[Prefix + "instance-family"] = family;
        if (dot >= 0)
        {
            labels[Prefix + "instance-size"] = name[(dot + 1)..];
        }

        // "inf2" → category "inf", generation "2"; "c7i-flex" → "c", "7".
        var digit = family.IndexOfAny("0123456789".ToCharArray());
        if (digit > 0)
        {
            labels[Prefix + "instance-category"] = family[..digit];
            var end = digit;
            while (end < family.Length && char.IsAsciiDigit(family[end]))
            {
                end++;
            }

            labels[Prefix + "instance-generation"] = family[digit..end];
        }

        labels[Prefix + "instance-capability-flex"] = family.Contains("flex", StringComparison.Ordinal) ? "true" : "false";
        Set(labels, "instance-cpu", info.VCpuInfo?.DefaultVCpus);
        Set(labels, "instance-memory", info.MemoryInfo?.SizeInMiB);
        if (info.ProcessorInfo?.Manufacturer is { Length: > 0 } manufacturer)
        {
            labels[Prefix + "instance-cpu-manufacturer"] = manufacturer.ToLowerInvariant();
        }

        if (info.ProcessorInfo?.SustainedClockSpeedInGhz is { } ghz)
        {
            Set(labels, "instance-cpu-sustained-clock-speed-mhz", (long)Math.Round(ghz * 1000));
        }

        Set(labels, "instance-ebs-bandwidth", info.EbsInfo?.EbsOptimizedInfo?.MaximumBandwidthInMbps);
        if (info.NetworkInfo?.EncryptionInTransitSupported is { } encryption)
        {
            labels[Prefix + "instance-encryption-in-transit-supported"] = encryption ? "true" : "false";
        }

        if (info.Hypervisor?.Value is { Length: > 0 } hypervisor)
        {
            labels[Prefix + "instance-hypervisor"] = hypervisor;
        }

        if (info.InstanceStorageInfo is { TotalSizeInGB: { } localGb } storage && storage.NvmeSupport?.Value != "unsupported")
        {
            Set(labels, "instance-local-nvme", localGb);
        }

        // Karpenter reads a published bandwidth table; EC2's own figure is each card's baseline, summed.
        if (info.NetworkInfo?.NetworkCards is { Count: > 0 } cards && cards.All(c => c.BaselineBandwidthInGbps is not null))
        {
            Set(labels, "instance-network-bandwidth", (long)Math.Round(cards.Sum(c => c.BaselineBandwidthInGbps!.Value) * 1000));
        }

        if (info.GpuInfo?.Gpus is { Count: > 0 } gpus)
        {
            var gpu = gpus[0];
            Set(labels, "instance-gpu-count", gpu.Count);
            if (gpu.Name is { Length: > 0 })
            {
                labels[Prefix + "instance-gpu-name"] = gpu.Name.ToLowerInvariant();
            }

            if (gpu.Manufacturer is { Length: > 0 })
            {
                labels[Prefix + "instance-gpu-manufacturer"] = gpu.Manufacturer.ToLowerInvariant();
            }

            Set(labels, "instance-gpu-memory", gpu.MemoryInfo?.SizeInMiB);
        }

        if (info.NeuronInfo?.NeuronDevices is { Count: > 0 } neuron)
        {
            Set(labels, "instance-accelerator-count", neuron.Sum(d => d.Count ?? 0));
            labels[Prefix + "instance-accelerator-manufacturer"] = "aws";
            if (neuron[0].Name is { Length: > 0 } acceleratorName)
            {
                labels[Prefix + "instance-accelerator-name"] = acceleratorName.ToLowerInvariant();
            }
        }

        return labels;
    }

    private static void Set(Dictionary<string, string> labels, string key, long? value)
    {
        if (value is { } v)
        {
            labels[Prefix + key] = v.ToString(CultureInfo.InvariantCulture);
        }
    }
}
