namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>What one lower-bound solve did: sizes after reduction, pricing rounds, and how the bound was obtained.</summary>
/// <param name="Groups">Groups left after exclusion and merging.</param>
/// <param name="Shapes">Shapes left after dropping unusable and dominated ones.</param>
/// <param name="ShapesInLp">Shapes the restricted LP held at the end.</param>
/// <param name="PairsInLp">(group, shape) pairs the restricted LP held at the end.</param>
/// <param name="Rounds">GLOP solves.</param>
/// <param name="Optimal">True when pricing proved the LP optimum; false means a weaker valid bound was reported.</param>
/// <param name="UsedFallback">True when the per-resource fallback bound was reported.</param>
internal sealed record LowerBoundDiagnostics(int Groups, int Shapes, int ShapesInLp, int PairsInLp, int Rounds, bool Optimal, bool UsedFallback);
