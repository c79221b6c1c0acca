using System.Globalization;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Tests.Workloads;

/// <summary>
/// A handful of us-east-1 types written by hand (CatalogLoader is tested elsewhere): enough for every
/// NodePool and deployment of the AWS mix to have somewhere to go, plus one type no NodePool admits.
/// </summary>
internal static class AwsTestCatalog
{
    public static readonly string[] Zones = ["us-east-1a", "us-east-1b", "us-east-1c"];

    public static InstanceTypeCatalog Create() => new(
        Zones,
        [
            Type("c5.large", "c", 5, "amd64", "1930m", "3055Mi", 29, 0.085),
            Type("m6i.xlarge", "m", 6, "amd64", "3920m", "14162Mi", 58, 0.192),
            Type("m6g.xlarge", "m", 6, "arm64", "3920m", "14162Mi", 58, 0.154),
            Type("c6i.2xlarge", "c", 6, "amd64", "7910m", "14288Mi", 58, 0.34),
            Type("r6i.2xlarge", "r", 6, "amd64", "7910m", "60036Mi", 58, 0.504),
            Type("r6g.xlarge", "r", 6, "arm64", "3920m", "29317Mi", 58, 0.2016),
            Type("m7i.4xlarge", "m", 7, "amd64", "15890m", "57632Mi", 234, 0.8064),
            Type("g5.2xlarge", "g", 5, "amd64", "7910m", "29317Mi", 58, 1.212, gpus: "1"),
        ],
        "us-east-1");

    private static InstanceType Type(string name, string category, int generation, string arch, string cpu, string memory, int pods, double price, string? gpus = null)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["karpenter.k8s.aws/instance-category"] = category,
            ["karpenter.k8s.aws/instance-generation"] = generation.ToString(CultureInfo.InvariantCulture),
            ["karpenter.k8s.aws/instance-family"] = name.Split('.')[0],
            ["karpenter.k8s.aws/instance-size"] = name.Split('.')[1],
            [WellKnownLabels.Arch] = arch,
            [WellKnownLabels.Os] = "linux",
        };
        var allocatable = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["cpu"] = cpu,
            ["memory"] = memory,
            ["pods"] = pods.ToString(CultureInfo.InvariantCulture),
        };
        if (gpus is not null)
        {
            labels["karpenter.k8s.aws/instance-gpu-manufacturer"] = "nvidia";
            labels["karpenter.k8s.aws/instance-gpu-count"] = gpus;
            allocatable["nvidia.com/gpu"] = gpus;
        }

        var offerings = Zones.Select(z => new Offering(z, CapacityTypes.OnDemand, price))
            .Concat(Zones.Select(z => new Offering(z, CapacityTypes.Spot, Math.Round(price * 0.4, 4))))
            .ToList();
        var vector = ResourceVector.Parse(allocatable);
        return new InstanceType(name, labels, vector, vector, offerings);
    }
}
