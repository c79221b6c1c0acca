namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// What <see cref="IsolatingSolver"/> ended with: the result of a solve without the
/// <see cref="Quarantined"/> pods, or, when the failure could not be pinned on single pods,
/// no result and the <see cref="Failure"/> of the last attempt.
/// </summary>
public sealed record IsolatedSolve(SchedulingResult? Result, IReadOnlyList<QuarantinedPod> Quarantined, Exception? Failure);
