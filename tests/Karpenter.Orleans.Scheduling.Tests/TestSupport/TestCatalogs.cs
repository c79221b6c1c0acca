using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Tests.TestSupport;

/// <summary>Label keys the fake catalogs use.</summary>
public static class TestLabels
{
    public const string Family = "karpenter.k8s.aws/instance-family";
    public const string Cores = "karpenter.k8s.aws/instance-cpu";
    public const string Accelerator = "example.com/accelerator";
    public const string Team = "example.com/team";
}

/// <summary>Small catalogs shared by the behaviour tests.</summary>
public static class TestCatalogs
{
    /// <summary>
    /// s2 (2 cpu, family a, $0.10), m4 (4 cpu, family b, $0.20), l8 (8 cpu, family c, accelerator, $0.40),
    /// on-demand in every zone; all amd64/linux.
    /// </summary>
    public static Scenario ThreeSizes(params string[] zones) =>
        new Scenario(zones)
            .Type("s2", "2", "4Gi", 0.10, t => Common(t, "a", "2"))
            .Type("m4", "4", "8Gi", 0.20, t => Common(t, "b", "4"))
            .Type("l8", "8", "16Gi", 0.40, t => Common(t, "c", "8").Label(TestLabels.Accelerator, "gpu"));

    public static InstanceTypeBuilder Common(InstanceTypeBuilder t, string family, string cores) =>
        t.Label(TestLabels.Family, family)
            .Label(TestLabels.Cores, cores)
            .Label(WellKnownLabels.Arch, "amd64")
            .Label(WellKnownLabels.Os, "linux");
}
