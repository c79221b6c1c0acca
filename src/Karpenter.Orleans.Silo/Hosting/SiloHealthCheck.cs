using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Karpenter.Orleans.Silo.Hosting;

/// <summary>Healthy while this silo is an active member of its cluster (so it can serve grain calls).</summary>
internal sealed class SiloHealthCheck(ISiloStatusOracle silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = silo.CurrentStatus;
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"silo is {status}"));
    }
}
