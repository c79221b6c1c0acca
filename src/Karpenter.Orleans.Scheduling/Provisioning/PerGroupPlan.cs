namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// The per-group packing of an input (<see cref="PerGroupPacking"/>): what it launched for each pod group
/// (per offering and zone), what it costs in all, how many pods it placed and how many it could not, and
/// the plan itself (<see cref="Plan"/>: claims with their pods, pods on existing nodes and in-flight claims).
/// </summary>
public sealed record PerGroupPlan(IReadOnlyList<PerGroupChoice> Choices, double PricePerHour, int Scheduled, int Unplaced)
{
    /// <summary>The packing as a plan, valid in the same sense as the solver's; its summary's price is <see cref="PricePerHour"/>.</summary>
    public required SchedulingResult Plan { get; init; }
}
