namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// What the per-group packing launches for one pod group (in one zone, when the group spreads over zones):
/// <see cref="Nodes"/> nodes of one offering holding <see cref="Pods"/> pods. <see cref="Group"/> names the
/// group by its first pod (namespace/name).
/// </summary>
public sealed record PerGroupChoice(
    string Group,
    int Pods,
    string NodePool,
    string InstanceType,
    string Zone,
    string CapacityType,
    int PodsPerNode,
    int Nodes,
    double PricePerHour);
