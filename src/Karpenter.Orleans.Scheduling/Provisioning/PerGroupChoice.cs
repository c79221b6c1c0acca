namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// What the per-group packing launches for one pod group on one offering (one zone of it):
/// <see cref="Nodes"/> new nodes holding <see cref="Pods"/> pods, at most <see cref="PodsPerNode"/> on one.
/// <see cref="Group"/> names the group by its first pod (namespace/name).
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
