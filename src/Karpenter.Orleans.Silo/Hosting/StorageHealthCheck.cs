using Karpenter.Orleans.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Storage;

namespace Karpenter.Orleans.Silo.Hosting;

/// <summary>
/// Healthy while grain state can be read and written: each check reads and rewrites one small record of
/// this silo through the same grain storage every grain uses, so a lost database, a missing table or a
/// read-only disk shows up here rather than as failing requests.
/// </summary>
internal sealed class StorageHealthCheck(IServiceProvider services, ILocalSiloDetails silo, TimeProvider time) : IHealthCheck
{
    private const string StateName = "karpo-readiness";

    // A hung database must fail the probe, not hold it open until the kubelet gives up.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    // Checks run one at a time: each rewrite needs the ETag the previous one left.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetKeyedService<IGrainStorage>(KarpoStorageOptions.GrainStorageName) is not { } storage)
        {
            return HealthCheckResult.Unhealthy($"no grain storage named '{KarpoStorageOptions.GrainStorageName}'");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var id = GrainId.Create(StateName, silo.Name);
            var state = new GrainState<ReadinessMark>();
            await storage.ReadStateAsync(StateName, id, state).WaitAsync(Timeout, cancellationToken);
            state.State = new ReadinessMark(time.GetUtcNow());
            await storage.WriteStateAsync(StateName, id, state).WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"grain storage is unreachable: {exception.GetType().Name}: {exception.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>What the probe writes: when it last succeeded.</summary>
    internal sealed record ReadinessMark(DateTimeOffset CheckedAt);
}
