namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>
/// One entry of <c>spec.disruption.budgets</c>: <see cref="Nodes"/> is "10%" or "5"; an optional cron
/// <see cref="Schedule"/> (UTC) with a <see cref="Duration"/> makes it active only in that window;
/// <see cref="Reasons"/> (Underutilized, Empty, Drifted) limits which disruptions it counts.
/// </summary>
public sealed record DisruptionBudget(string Nodes, string? Schedule = null, TimeSpan? Duration = null, IReadOnlyList<string>? Reasons = null)
{
    /// <summary>Karpenter's default budget when none is written.</summary>
    public static readonly DisruptionBudget Default = new("10%");
}
