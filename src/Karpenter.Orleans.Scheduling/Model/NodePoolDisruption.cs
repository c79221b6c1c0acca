namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>
/// <c>spec.disruption</c>. <see cref="ConsolidateAfter"/> is null for "Never" (consolidation disabled).
/// </summary>
public sealed record NodePoolDisruption(ConsolidationPolicy ConsolidationPolicy, TimeSpan? ConsolidateAfter, IReadOnlyList<DisruptionBudget> Budgets)
{
    /// <summary>Defaults of karpenter.sh/v1: WhenEmptyOrUnderutilized, consolidateAfter 0s, one 10% budget.</summary>
    public static readonly NodePoolDisruption Default = new(ConsolidationPolicy.WhenEmptyOrUnderutilized, TimeSpan.Zero, [DisruptionBudget.Default]);
}
