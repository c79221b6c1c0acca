namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>
/// The LP relaxation's optimum: no integral plan for the problem costs less than <see cref="PricePerHour"/>.
/// <see cref="ShapeCounts"/> is the fractional number of nodes of each shape in the optimum (same order
/// as the problem's shapes), which tells which shapes are worth opening at all.
/// </summary>
public sealed record LowerBoundResult(double PricePerHour, IReadOnlyList<double> ShapeCounts)
{
    /// <summary>
    /// The LP's optimal solution as node patterns (empty when it was not solved to optimality): the solver
    /// rounds these into claims for one of its packings.
    /// </summary>
    internal IReadOnlyList<LowerBoundPattern> Patterns { get; init; } = [];
}
