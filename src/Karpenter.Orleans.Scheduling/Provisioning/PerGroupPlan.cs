namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// The per-group packing of an input (<see cref="PerGroupPacking"/>): the offering chosen for each pod
/// group (per zone under a zonal spread), what it costs in all, and how many pods it could not place.
/// </summary>
public sealed record PerGroupPlan(IReadOnlyList<PerGroupChoice> Choices, double PricePerHour, int Scheduled, int Unplaced);
