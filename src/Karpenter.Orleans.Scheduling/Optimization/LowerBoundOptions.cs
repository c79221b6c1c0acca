namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>Knobs of <see cref="LowerBoundSolver"/>; the defaults are what production uses, the rest exists for tests.</summary>
internal sealed record LowerBoundOptions
{
    public static LowerBoundOptions Default { get; } = new();

    /// <summary>Drop shapes another shape dominates for every group that can use them.</summary>
    public bool PruneDominatedShapes { get; init; } = true;

    /// <summary>Merge uncapped groups with the same request and the same usable shapes.</summary>
    public bool MergeGroups { get; init; } = true;

    /// <summary>Most shapes new to the restricted LP per round.</summary>
    public int ShapesPerRound { get; init; } = 10;

    /// <summary>Most pairs per group and round added to shapes already in the restricted LP.</summary>
    public int PairsPerGroup { get; init; } = 3;

    /// <summary>Rounds a pair may carry no pods before it leaves the restricted LP.</summary>
    public int MaxIdleRounds { get; init; } = 2;

    /// <summary>GLOP solves before giving up on optimality and reporting the best bound proved so far.</summary>
    public int MaxRounds { get; init; } = 200;

    /// <summary>Skip GLOP and report the fallback bound (tests that path).</summary>
    public bool ForceFallback { get; init; }
}
