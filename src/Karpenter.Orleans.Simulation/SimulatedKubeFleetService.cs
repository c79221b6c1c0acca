using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// Runs the <see cref="SimulatedKubeFleet"/> once the host has started (the agents need the silo's HTTP API up):
/// names the service's address (<see cref="SimulatedFleetOptions.ServiceUrl"/>, else the one
/// <paramref name="serviceUrl"/> finds, the silo's own), then ticks every <see cref="SimulatedFleetOptions.TickInterval"/>.
/// Failures are logged and retried; they never stop the host. Stopping the host stops the agents and API servers first.
/// </summary>
public sealed class SimulatedKubeFleetService(
    SimulatedKubeFleet fleet,
    IOptions<SimulatedFleetOptions> options,
    IHostApplicationLifetime lifetime,
    Func<Uri?> serviceUrl,
    ILogger<SimulatedKubeFleetService> logger,
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
        var url = o.ServiceUrl ?? serviceUrl();
        if (url is null)
        {
            logger.LogError("Simulated fleet not started: the silo's HTTP address is unknown; set {Setting}", $"{SimulatedFleetOptions.SectionName}:{nameof(SimulatedFleetOptions.ServiceUrl)}");
            return;
        }

        fleet.Start(url);
        logger.LogInformation("Simulated fleet running on the agent path: {Clusters} cluster(s) ({Ids}), each an in-process API server streamed by the agent to {ServiceUrl}; tick {TickInterval}, workload period {WorkloadPeriod}, scale {Scale}",
            fleet.Configured.Count, string.Join(", ", fleet.Configured.Select(c => c.ClusterId)), url, o.TickInterval, o.WorkloadPeriod, o.Scale);
        await FleetTicks.RunAsync(fleet.TickAsync, o.TickInterval, _time, logger, stoppingToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Before the silo stops, so no agent is left calling a service on its way down.
        await fleet.DisposeAsync();
    }
}
