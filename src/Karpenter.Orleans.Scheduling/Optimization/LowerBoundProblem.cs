using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Optimization;

/// <summary>
/// The input of the cost lower bound: groups of identical pods and the node shapes they may use.
/// <see cref="LowerBoundGroup.CompatibleShapes"/> index into <see cref="Shapes"/>.
/// </summary>
public sealed record LowerBoundProblem(IReadOnlyList<LowerBoundShape> Shapes, IReadOnlyList<LowerBoundGroup> Groups);

/// <summary>
/// A node shape: an instance type (in one NodePool) with the room left for pods after DaemonSet
/// overhead, at the cheapest price any of its available offerings has for the pods that may use it.
/// </summary>
public sealed record LowerBoundShape(string Name, ResourceVector Room, double PricePerHour);

/// <summary>
/// <see cref="Count"/> pods that each request <see cref="Request"/>. <see cref="MaxPerNode"/> caps how many
/// of them one node may hold (hostname anti-affinity: 1; hostname spread: maxSkew); null when uncapped.
/// </summary>
public sealed record LowerBoundGroup(int Count, ResourceVector Request, IReadOnlyList<int> CompatibleShapes, int? MaxPerNode = null);
