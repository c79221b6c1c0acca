using Microsoft.Extensions.Hosting;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// The lifetime of an agent host inside the silo: it waits for nothing and listens to no signal (a console
/// lifetime per agent would each catch SIGTERM); the silo stops its agents itself.
/// </summary>
internal sealed class EmbeddedAgentLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
