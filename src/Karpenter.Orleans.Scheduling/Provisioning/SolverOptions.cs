namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>Knobs of one solve. Defaults follow Karpenter.</summary>
public sealed record SolverOptions
{
    public static readonly SolverOptions Default = new();

    public MinValuesPolicy MinValuesPolicy { get; init; } = MinValuesPolicy.Strict;

    public PreferencePolicy PreferencePolicy { get; init; } = PreferencePolicy.Respect;

    /// <summary>How many instance types a planned claim reports (cheapest first), as Karpenter sends per launch.</summary>
    public int MaxInstanceTypes { get; init; } = 60;

    /// <summary>Run the improvement pass (re-packing, cheaper type mixes) after the first feasible plan.</summary>
    public bool Improve { get; init; } = true;

    /// <summary>Wall-clock budget for the improvement pass. Improvement is deterministic: it stops on
    /// whichever comes first of this budget and <see cref="ImprovementIterations"/>.</summary>
    public TimeSpan ImprovementBudget { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Upper bound on improvement moves tried; the deterministic limit.</summary>
    public int ImprovementIterations { get; init; } = 2000;

    /// <summary>Compute the LP lower bound on cost and report the gap.</summary>
    public bool ComputeLowerBound { get; init; }
}
