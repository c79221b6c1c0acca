namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>Values of <c>karpenter.sh/capacity-type</c>.</summary>
public static class CapacityTypes
{
    public const string OnDemand = "on-demand";
    public const string Spot = "spot";
    public const string Reserved = "reserved";

    public static readonly IReadOnlyList<string> All = [OnDemand, Reserved, Spot];
}
