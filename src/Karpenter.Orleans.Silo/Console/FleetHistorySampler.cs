using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Console;

/// <summary>
/// Samples every registered cluster's status into <see cref="FleetHistory"/> at <see cref="ConsoleOptions.HistoryInterval"/>,
/// from the <see cref="FleetSnapshot"/> (the clusters are read once, by <see cref="FleetSnapshotRefresher"/>, for both).
/// </summary>
internal sealed class FleetHistorySampler(FleetSnapshot snapshot, FleetHistory history, IOptions<ConsoleOptions> options, TimeProvider time)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HistoryInterval, time);
        do
        {
            Sample();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One sample of the fleet and each cluster that has answered (a stale one counts with its last answer).</summary>
    public void Sample()
    {
        if (!snapshot.IsRead)
        {
            // Before the first read a sample would draw the fleet at zero.
            return;
        }

        var statuses = snapshot.Clusters.Where(c => c.Answer is not null).Select(c => c.Answer!.Status).ToList();
        foreach (var s in statuses)
        {
            history.Record(s.ClusterId, s.PricePerHour, s.Nodes, s.PendingPods);
        }

        history.Record(FleetHistory.Fleet, statuses.Sum(s => s.PricePerHour), statuses.Sum(s => s.Nodes), statuses.Sum(s => s.PendingPods));
        history.Retain(snapshot.Clusters.Select(c => c.ClusterId).ToHashSet(StringComparer.Ordinal));
    }
}
