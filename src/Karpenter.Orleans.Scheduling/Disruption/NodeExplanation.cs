namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// What a plan says about one node, for <c>explain</c>: the action that takes it (its index in the plan's
/// actions), or the one reason it is left alone.
/// </summary>
public sealed record NodeExplanation(string Node, int? ActionIndex, DisruptionAction? Action, BlockedNode? Blocked)
{
    public override string ToString() =>
        Action is { } a ? $"{Node}: {a.Method} {a.Kind.ToString().ToLowerInvariant()} (action {ActionIndex})" : $"{Node}: {Blocked?.Reason}";
}
