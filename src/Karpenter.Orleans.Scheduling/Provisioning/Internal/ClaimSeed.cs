namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// <see cref="Nodes"/> claims of one type (in the LP's zone, when its shapes are per zone) to open before packing, each meant to carry
/// about <c>PerNode</c> pods of each group in <see cref="Mix"/>: a whole-node rounding of the LP's solution.
/// </summary>
internal sealed record ClaimSeed(PoolTemplate Pool, int Type, string? Zone, int Nodes, IReadOnlyList<(PodGroup Group, double PerNode)> Mix);
