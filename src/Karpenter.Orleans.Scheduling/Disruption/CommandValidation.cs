namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// The outcome of re-checking a consolidation command after Karpenter's validation period
/// (<see cref="DisruptionPlanner.Revalidate"/>): the command to carry out now, or null when it is dropped, and
/// why each node it named was taken out of it.
/// </summary>
public sealed record CommandValidation(DisruptionAction? Command, IReadOnlyList<BlockedNode> Invalid)
{
    /// <summary>True when the command goes ahead exactly as chosen.</summary>
    public bool IsValid => Command is not null && Invalid.Count == 0;
}
