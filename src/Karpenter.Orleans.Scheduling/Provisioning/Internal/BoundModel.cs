using Karpenter.Orleans.Scheduling.Optimization;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// The lower-bound LP built from a solver model, with what ties it back: the pod group each LP group comes
/// from and the (pool, type, zone) of each shape; plus the exact cost of the groups left out of the LP.
/// </summary>
internal sealed record BoundModel(
    LowerBoundProblem Problem,
    double IsolatedCost,
    IReadOnlyList<PodGroup> Owners,
    IReadOnlyList<(PoolTemplate Pool, int Type, string? Zone)> Shapes);
