namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>
/// An instance as the simulated cloud keeps it (and saves it to the state file). Its state is not stored
/// but worked out from the times below and the clock, so Pending turns Running without anyone calling.
/// </summary>
internal sealed class SimulatedInstanceRecord
{
    public required string Id { get; init; }

    public required string Region { get; init; }

    public required string Account { get; init; }

    public required string Zone { get; init; }

    public required string InstanceType { get; init; }

    public required string CapacityType { get; init; }

    public required double PricePerHour { get; init; }

    public required int Vcpus { get; init; }

    public required DateTimeOffset LaunchedAt { get; init; }

    /// <summary>LaunchedAt + BootDelay at launch time, so a changed option does not rewrite history.</summary>
    public required DateTimeOffset RunningAt { get; init; }

    public required string ClusterId { get; init; }

    public required string NodeClaim { get; init; }

    public required string NodePool { get; init; }

    public required string ClientToken { get; init; }

    public required Dictionary<string, string> Tags { get; init; }

    /// <summary>When the spot interruption warning is due (by the rule or forced); null when none is coming.</summary>
    public DateTimeOffset? InterruptionAt { get; set; }

    /// <summary>The warning has been queued.</summary>
    public bool Warned { get; set; }

    /// <summary>The cloud took the instance back at the deadline and queued a Terminated event.</summary>
    public bool Reclaimed { get; set; }

    /// <summary>Rebalance recommendations still to come (by the rule or forced), earliest first; each is removed once queued or dropped.</summary>
    public List<DateTimeOffset> RebalancesAt { get; set; } = [];

    /// <summary>When the scheduled-change notice is due (by the rule or forced); null when none is coming.</summary>
    public DateTimeOffset? ScheduledChangeAt { get; set; }

    /// <summary>When the cloud stops the instance for its scheduled change.</summary>
    public DateTimeOffset? ScheduledChangeDeadline { get; set; }

    /// <summary>The scheduled-change notice has been queued.</summary>
    public bool ScheduledChangeNotified { get; set; }

    /// <summary>The cloud stopped the instance at the scheduled change's deadline and queued a Stopping event.</summary>
    public bool Stopped { get; set; }

    /// <summary>The stopped instance reached Terminated and its Terminated event was queued.</summary>
    public bool Retired { get; set; }

    public DateTimeOffset? TerminateRequestedAt { get; set; }

    public DateTimeOffset? TerminatedAt { get; set; }

    /// <summary>
    /// Whether an event of the cloud's own may still come: a rebalance, a warning or reclaim not cancelled
    /// by an earlier termination, a scheduled change, its stop or the stopped instance's end.
    /// </summary>
    public bool HasPendingEvents() =>
        // Rebalances still listed after a warning or a termination would only be dropped.
        (RebalancesAt.Count > 0 && !Warned && TerminateRequestedAt is null)
        || (InterruptionAt is { } warningAt && !Warned && !(TerminateRequestedAt <= warningAt))
        || (InterruptionAt is { } warnedAt && Warned && !Reclaimed && !(TerminateRequestedAt <= warnedAt + SimulatedInterruptionRule.Warning))
        || (ScheduledChangeAt is { } noticeAt && !ScheduledChangeNotified && !(TerminateRequestedAt <= noticeAt))
        || (ScheduledChangeDeadline is { } deadline && ScheduledChangeNotified && !Stopped && !(TerminateRequestedAt <= deadline))
        || (Stopped && !Retired);

    public CloudInstanceState StateAt(DateTimeOffset now) =>
        TerminatedAt <= now ? CloudInstanceState.Terminated
        : TerminateRequestedAt <= now ? CloudInstanceState.ShuttingDown
        : now >= RunningAt ? CloudInstanceState.Running
        : CloudInstanceState.Pending;

    public CloudInstance ToCloudInstance(DateTimeOffset now) => new(
        Id,
        $"sim:///{Zone}/{Id}",
        Region,
        Zone,
        InstanceType,
        CapacityType,
        PricePerHour,
        StateAt(now),
        LaunchedAt,
        ClusterId,
        NodeClaim,
        NodePool,
        new SortedDictionary<string, string>(Tags, StringComparer.Ordinal));
}
