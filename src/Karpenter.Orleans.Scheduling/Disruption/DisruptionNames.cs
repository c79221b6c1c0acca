namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// The names users read for the planner's methods and action kinds, as <c>karpo simulate --consolidate</c>,
/// <c>karpo explain</c> and the API print them (design.md's contract), so every surface says the same.
/// </summary>
public static class DisruptionNames
{
    public static string Method(DisruptionMethod method) => method switch
    {
        DisruptionMethod.Emptiness => "emptiness",
        DisruptionMethod.Drift => "drift",
        DisruptionMethod.Expiration => "expiration",
        DisruptionMethod.Interruption => "interruption",
        DisruptionMethod.MultiNodeConsolidation => "multi-node",
        DisruptionMethod.SingleNodeConsolidation => "single-node",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown disruption method"),
    };

    public static string Kind(DisruptionActionKind kind) => kind switch
    {
        DisruptionActionKind.Delete => "delete",
        DisruptionActionKind.Replace => "replace",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown action kind"),
    };
}
