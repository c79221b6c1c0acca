namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>
/// Part of the LP's solution: <see cref="Nodes"/> (fractional) nodes of shape <see cref="Shape"/> carrying, in
/// total, <see cref="Pods"/> pods of each problem group (indices into the problem's shapes and groups).
/// </summary>
internal sealed record LowerBoundPattern(int Shape, double Nodes, IReadOnlyList<(int Group, double Pods)> Pods);
