using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// Ticks the <see cref="SimulatedFleet"/> every <see cref="SimulatedFleetOptions.TickInterval"/> once the
/// host has started (the silo must be up before grains answer). Failures are logged and retried; they
/// never stop the host.
/// </summary>
public sealed class SimulatedFleetService(
    SimulatedFleet fleet,
    IOptions<SimulatedFleetOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<SimulatedFleetService> logger,
    TimeProvider? timeProvider = null) : BackgroundService
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await HostStarted.WaitAsync(lifetime, stoppingToken))
        {
            return;
        }

        var o = options.Value;
        logger.LogInformation("Simulated fleet running: {Clusters} cluster(s) ({Ids}), tick {TickInterval}, workload period {WorkloadPeriod}, scale {Scale}",
            fleet.Configured.Count, string.Join(", ", fleet.Configured.Select(c => c.ClusterId)), o.TickInterval, o.WorkloadPeriod, o.Scale);
        await FleetTicks.RunAsync(fleet.TickAsync, o.TickInterval, _time, logger, stoppingToken);
    }
}
