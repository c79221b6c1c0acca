namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>Values of <c>spec.disruption.consolidationPolicy</c>.</summary>
public enum ConsolidationPolicy
{
    WhenEmptyOrUnderutilized,
    WhenEmpty,
    Balanced,
}
