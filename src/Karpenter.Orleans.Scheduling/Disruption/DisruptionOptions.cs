namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>Knobs of the disruption planner; the defaults are what the service and <c>karpo simulate --consolidate</c> use.</summary>
public sealed record DisruptionOptions
{
    public static readonly DisruptionOptions Default = new();

    /// <summary>
    /// A consolidation must save at least this much per hour for each pod it disrupts, so nothing churns for
    /// pennies. Emptiness, drift, expiration and interruption are not held to it.
    /// </summary>
    public double MinSavingPerPodPerHour { get; init; } = 0.002;

    /// <summary>Whether a spot node may be replaced by a cheaper spot node (Karpenter's SpotToSpotConsolidation gate).</summary>
    public bool SpotToSpotConsolidation { get; init; } = true;

    /// <summary>Single-node spot-to-spot replacement needs at least this many cheaper spot types (Karpenter: 15).</summary>
    public int MinInstanceTypesForSpotToSpot { get; init; } = 15;

    /// <summary>How many candidates multi-node consolidation may consider at once (Karpenter caps at 100).</summary>
    public int MultiNodeCandidateLimit { get; init; } = 2_000;

    /// <summary>
    /// How many nodes single-node consolidation may prove (run the solver for) in one pass; Karpenter stops
    /// after 3 minutes instead, which no deterministic planner can do. Nodes interchangeable with one already
    /// proven do not count. Those left over are blocked with <see cref="BlockReason.NotEvaluated"/>.
    /// </summary>
    public int SingleNodeCandidateLimit { get; init; } = 200;
}
