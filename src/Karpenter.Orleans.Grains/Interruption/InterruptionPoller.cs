using Karpenter.Orleans.CloudProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Grains.Interruption;

/// <summary>
/// Karpenter's interruption controller for the whole fleet: drains each provider region's interruption
/// queue and hands every notice to the instance's grain, which tells its NodeClaim. Regions come from
/// the registered clusters. Every silo polls; a queue delivers each message once.
/// </summary>
public sealed class InterruptionPoller(
    IGrainFactory grains,
    ICloudProviders providers,
    IOptions<ProvisioningOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<InterruptionPoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.InterruptionPolling)
        {
            return;
        }

        // Grain calls need the silo up; it is once the host has started.
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(started.SetResult);
        await Task.WhenAny(started.Task, Task.Delay(Timeout.Infinite, stoppingToken)).ConfigureAwait(false);
        using var timer = new PeriodicTimer(options.Value.InterruptionPollInterval);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Interruption polling failed; retrying");
            }

            try
            {
                await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass over every (provider, region) of the fleet; returns how many notices were delivered.</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        var clusters = await grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).GetClustersAsync().ConfigureAwait(false);
        // Side by side: a provider whose receive long-polls (SQS waits up to 20 s for a message) must not hold
        // back another region's notices for that long.
        var regions = clusters.Select(c => (c.Registration.Provider, c.Registration.Region)).Distinct()
            .Where(r => providers.Names.Contains(r.Provider))
            .Select(r => PollRegionAsync(r.Provider, r.Region, cancellationToken));
        var delivered = await Task.WhenAll(regions).ConfigureAwait(false);
        return delivered.Sum();
    }

    private async Task<int> PollRegionAsync(string provider, string region, CancellationToken cancellationToken)
    {
        using var caller = CloudProviderMetrics.Caller("interruption");
        var events = await providers.Get(provider).ReceiveInterruptionsAsync(region, cancellationToken).ConfigureAwait(false);
        foreach (var e in events)
        {
            var notice = new InterruptionNotice(e.InstanceId, Map(e.Kind), e.At, e.Deadline);
            await grains.GetGrain<IInstanceGrain>($"{provider}/{region}/{e.InstanceId}").NotifyInterruptionAsync(notice).ConfigureAwait(false);
        }

        return events.Count;
    }

    private static InterruptionKind Map(CloudInterruptionKind kind) => kind switch
    {
        CloudInterruptionKind.SpotInterruption => InterruptionKind.SpotInterruption,
        CloudInterruptionKind.Rebalance => InterruptionKind.Rebalance,
        CloudInterruptionKind.ScheduledChange => InterruptionKind.ScheduledChange,
        CloudInterruptionKind.Stopping => InterruptionKind.Stopping,
        _ => InterruptionKind.Terminated,
    };
}
