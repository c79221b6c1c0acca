using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Simulation;

/// <summary>The hosted services' loop: a tick at once, then one every interval until the host stops; a failed tick is logged, never fatal.</summary>
internal static class FleetTicks
{
    public static async Task RunAsync(Func<CancellationToken, Task> tick, TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            do
            {
                try
                {
                    await tick(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The fleets isolate clusters already; this is a last guard so the host never dies of it.
                    logger.LogError(ex, "Simulated fleet tick failed");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutting down.
        }
    }
}
