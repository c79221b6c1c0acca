using Microsoft.Extensions.Hosting;

namespace Karpenter.Orleans.Simulation;

/// <summary>Waits for the host to have started (the silo answers grain calls, Kestrel listens) before a fleet runs.</summary>
internal static class HostStarted
{
    /// <summary>True once the host has started; false if it stops first.</summary>
    public static async Task<bool> WaitAsync(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
