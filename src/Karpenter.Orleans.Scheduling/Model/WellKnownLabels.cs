namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>Label keys Karpenter knows without a NodePool defining them.</summary>
public static class WellKnownLabels
{
    public const string NodePool = "karpenter.sh/nodepool";
    public const string CapacityType = "karpenter.sh/capacity-type";
    public const string Zone = "topology.kubernetes.io/zone";
    public const string Region = "topology.kubernetes.io/region";
    public const string InstanceType = "node.kubernetes.io/instance-type";
    public const string Arch = "kubernetes.io/arch";
    public const string Os = "kubernetes.io/os";
    public const string WindowsBuild = "node.kubernetes.io/windows-build";
    public const string Hostname = "kubernetes.io/hostname";

    public const string DoNotDisruptAnnotation = "karpenter.sh/do-not-disrupt";

    /// <summary>The labels every provider supports; the catalog adds its own (e.g. karpenter.k8s.aws/*).</summary>
    public static readonly IReadOnlySet<string> Core = new HashSet<string>(StringComparer.Ordinal)
    {
        NodePool, CapacityType, Zone, Region, InstanceType, Arch, Os, WindowsBuild,
    };

    /// <summary>Deprecated label keys and the keys Karpenter reads them as.</summary>
    public static readonly IReadOnlyDictionary<string, string> Normalized = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["failure-domain.beta.kubernetes.io/zone"] = Zone,
        ["failure-domain.beta.kubernetes.io/region"] = Region,
        ["beta.kubernetes.io/arch"] = Arch,
        ["beta.kubernetes.io/os"] = Os,
        ["beta.kubernetes.io/instance-type"] = InstanceType,
    };

    public static string Normalize(string key) => Normalized.TryGetValue(key, out var k) ? k : key;
}
