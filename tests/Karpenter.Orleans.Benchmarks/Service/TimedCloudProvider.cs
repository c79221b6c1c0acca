using System.Collections.Concurrent;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Benchmarks.Service;

/// <summary>
/// The cloud as the grains see it, with every launch's start and end recorded per cluster, so the
/// latency figure can split a provisioning run into solve, the work before the first launch, and launching.
/// </summary>
public sealed class TimedCloudProvider(ICloudProvider inner) : ICloudProvider
{
    public ConcurrentBag<(string Cluster, DateTimeOffset Start, DateTimeOffset End)> Launches { get; } = [];

    public string Name => inner.Name;

    public Task<InstanceTypeCatalog> GetInstanceTypesAsync(string region, CancellationToken cancellationToken = default) =>
        inner.GetInstanceTypesAsync(region, cancellationToken);

    public async Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default)
    {
        var start = DateTimeOffset.UtcNow;
        try
        {
            return await inner.LaunchAsync(request, cancellationToken);
        }
        finally
        {
            Launches.Add((request.ClusterId, start, DateTimeOffset.UtcNow));
        }
    }

    public Task<CloudInstance?> GetAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
        inner.GetAsync(region, instanceId, cancellationToken);

    public Task<IReadOnlyList<CloudInstance>> ListAsync(string region, string clusterId, CancellationToken cancellationToken = default) =>
        inner.ListAsync(region, clusterId, cancellationToken);

    public Task TerminateAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
        inner.TerminateAsync(region, instanceId, cancellationToken);

    public Task<IReadOnlyList<CloudInterruption>> ReceiveInterruptionsAsync(string region, CancellationToken cancellationToken = default) =>
        inner.ReceiveInterruptionsAsync(region, cancellationToken);
}
