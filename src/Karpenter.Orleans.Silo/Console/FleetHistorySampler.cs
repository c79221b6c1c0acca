using Karpenter.Orleans.Abstractions;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Console;

/// <summary>Samples every registered cluster's status into <see cref="FleetHistory"/> at <see cref="ConsoleOptions.HistoryInterval"/>.</summary>
internal sealed partial class FleetHistorySampler(
    IGrainFactory grains, FleetHistory history, IOptions<ConsoleOptions> options, TimeProvider time, ILogger<FleetHistorySampler> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HistoryInterval, time);
        do
        {
            try
            {
                await SampleAsync();
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException or InvalidOperationException)
            {
                // The silo is starting or stopping; the next tick tries again.
                LogSampleFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One sample of the fleet and each cluster (also called by tests).</summary>
    public async Task SampleAsync()
    {
        var registered = await grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).GetClustersAsync();
        var statuses = await Task.WhenAll(registered.Select(c => grains.GetGrain<IClusterGrain>(c.Registration.ClusterId).GetStatusAsync()));
        foreach (var s in statuses)
        {
            history.Record(s.ClusterId, s.PricePerHour, s.Nodes, s.PendingPods);
        }

        history.Record(FleetHistory.Fleet, statuses.Sum(s => s.PricePerHour), statuses.Sum(s => s.Nodes), statuses.Sum(s => s.PendingPods));
        history.Retain(statuses.Select(s => s.ClusterId).ToHashSet(StringComparer.Ordinal));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Console history sample skipped: {Message}")]
    private static partial void LogSampleFailed(ILogger logger, string message);
}
