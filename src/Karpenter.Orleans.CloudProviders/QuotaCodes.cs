namespace Karpenter.Orleans.CloudProviders;

/// <summary>
/// Which EC2 vCPU quota an instance counts against: AWS groups on-demand and spot instances by family
/// letter into a handful of service quotas (codes as Service Quotas names them).
/// </summary>
public static class QuotaCodes
{
    public const string OnDemandStandard = "L-1216C47A";
    public const string OnDemandGpuG = "L-DB2E81BA";
    public const string OnDemandGpuP = "L-417A185B";
    public const string OnDemandFpga = "L-74FC7D96";
    public const string OnDemandInferentia = "L-1945791B";
    public const string OnDemandHighMemoryX = "L-7295265B";
    public const string SpotStandard = "L-34B43A08";
    public const string SpotGpuG = "L-3819A6DF";
    public const string SpotGpuP = "L-7212CCBC";
    public const string SpotFpga = "L-88CF9481";
    public const string SpotInferentia = "L-B5D1601B";
    public const string SpotHighMemoryX = "L-E3A00192";

    /// <summary>Every code <see cref="For"/> returns, on-demand then spot.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        OnDemandStandard, OnDemandGpuG, OnDemandGpuP, OnDemandFpga, OnDemandInferentia, OnDemandHighMemoryX,
        SpotStandard, SpotGpuG, SpotGpuP, SpotFpga, SpotInferentia, SpotHighMemoryX,
    ];

    public static string For(string instanceType, string capacityType)
    {
        ArgumentNullException.ThrowIfNull(instanceType);
        var spot = capacityType == "spot";
        var family = instanceType.Split('.')[0];
        return family switch
        {
            _ when family.StartsWith("inf", StringComparison.Ordinal) || family.StartsWith("trn", StringComparison.Ordinal) => spot ? SpotInferentia : OnDemandInferentia,
            _ when family.StartsWith('g') || family.StartsWith("vt", StringComparison.Ordinal) => spot ? SpotGpuG : OnDemandGpuG,
            _ when family.StartsWith('p') || family.StartsWith("dl", StringComparison.Ordinal) => spot ? SpotGpuP : OnDemandGpuP,
            _ when family.StartsWith('f') => spot ? SpotFpga : OnDemandFpga,
            _ when family.StartsWith('x') || family.StartsWith('u') => spot ? SpotHighMemoryX : OnDemandHighMemoryX,
            _ => spot ? SpotStandard : OnDemandStandard,
        };
    }
}
