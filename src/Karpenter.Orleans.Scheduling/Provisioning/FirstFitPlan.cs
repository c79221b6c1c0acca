namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// The Karpenter-style first-fit plan of an input (<see cref="KarpenterFirstFit"/>): the NodeClaims it would
/// launch, grouped by offering (dearest first), their total price, and how many pending pods it placed and left.
/// </summary>
public sealed record FirstFitPlan(IReadOnlyList<FirstFitLaunch> Launches, int NodeClaims, double PricePerHour, int Scheduled, int Unplaced);
