using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Console;

/// <summary>
/// Reads every registered cluster into the <see cref="FleetSnapshot"/> every <see cref="ConsoleOptions.SnapshotInterval"/>.
/// Each cluster gets <see cref="ConsoleOptions.ClusterTimeout"/> to answer; one that does not keeps its last answer,
/// is marked stale, and is asked again only once its late answer is in, so a busy cluster is not sent a queue of reads.
/// </summary>
internal sealed partial class FleetSnapshotRefresher(
    IFleetReader reader, FleetSnapshot snapshot, IOptions<ConsoleOptions> options, TimeProvider time, ILogger<FleetSnapshotRefresher> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SnapshotInterval, time);
        do
        {
            await RefreshAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One read of the fleet; returns within about two <see cref="ConsoleOptions.ClusterTimeout"/>s however slow the clusters are.</summary>
    public async Task RefreshAsync(CancellationToken cancellation = default)
    {
        var timeout = options.Value.ClusterTimeout;
        try
        {
            snapshot.SetRegistrations(await reader.GetClustersAsync().WaitAsync(timeout, time, cancellation));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The fleet grain is busy or the silo is starting: keep the clusters known so far and try at the next tick.
            LogFleetReadFailed(logger, ex.Message);
            return;
        }

        var reads = snapshot.Clusters.Where(c => _inFlight.TryAdd(c.ClusterId, 0)).Select(c => ReadAsync(c.ClusterId, timeout, cancellation)).ToList();
        reads.Add(ReadCostAsync(timeout, cancellation));
        await Task.WhenAll(reads);
        snapshot.MarkRead();
    }

    private async Task ReadAsync(string clusterId, TimeSpan timeout, CancellationToken cancellation)
    {
        var read = reader.ReadClusterAsync(clusterId);
        try
        {
            snapshot.Answered(clusterId, await read.WaitAsync(timeout, time, cancellation), time.GetUtcNow());
            _inFlight.TryRemove(clusterId, out _);
        }
        catch (TimeoutException) when (!read.IsCompleted)
        {
            snapshot.Failed(clusterId, $"did not answer within {Seconds(timeout)}");
            _ = LateAsync(clusterId, read);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever one cluster's failure is, it shows on that cluster and the others are read as usual.
            snapshot.Failed(clusterId, ex.Message);
            _inFlight.TryRemove(clusterId, out _);
        }
    }

    /// <summary>The read goes on past the timeout: its answer, when it comes, is still the newest there is.</summary>
    private async Task LateAsync(string clusterId, Task<ClusterAnswer> read)
    {
        try
        {
            snapshot.Answered(clusterId, await read, time.GetUtcNow());
        }
        catch (Exception ex)
        {
            snapshot.Failed(clusterId, ex.Message);
        }
        finally
        {
            _inFlight.TryRemove(clusterId, out _);
        }
    }

    private async Task ReadCostAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        try
        {
            snapshot.SetCost(await reader.GetCostAsync().WaitAsync(timeout, time, cancellation));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFleetReadFailed(logger, ex.Message);
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";

    [LoggerMessage(Level = LogLevel.Debug, Message = "Console fleet read skipped: {Message}")]
    private static partial void LogFleetReadFailed(ILogger logger, string message);
}
