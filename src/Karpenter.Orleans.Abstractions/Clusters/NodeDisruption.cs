namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// What the disruption planner would do with one node now, or what keeps it: <see cref="Decision"/> is
/// "delete", "replace" or "blocked"; <see cref="Method"/> names the method that acts (emptiness, drift,
/// expiration, interruption, multi-node, single-node); <see cref="Reason"/> says why in a sentence that names
/// the object in the way (a pod, a budget, a PodDisruptionBudget).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record NodeDisruption(
    string Node,
    string? NodeClaim,
    string? NodePool,
    string? InstanceType,
    string? CapacityType,
    double PricePerHour,
    string Decision,
    string? Method,
    string Reason);
