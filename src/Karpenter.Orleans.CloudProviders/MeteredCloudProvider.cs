using System.Diagnostics;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders;

/// <summary>
/// Times every call of a provider into <see cref="CloudProviderMetrics.Duration"/>, the way Karpenter's metrics
/// decorator wraps its CloudProvider. Every member forwards explicitly, default interface members included:
/// a member left to its default would hide the provider's own implementation.
/// </summary>
internal sealed class MeteredCloudProvider(ICloudProvider inner) : ICloudProvider
{
    /// <summary>The provider this one times.</summary>
    public ICloudProvider Inner => inner;

    public string Name => inner.Name;

    public NodeClassType? NodeClasses => inner.NodeClasses;

    public Task<NodeClassStatus?> ResolveNodeClassAsync(string region, NodeClassDocument nodeClass, CancellationToken cancellationToken = default) =>
        TimeAsync("ResolveNodeClass", () => inner.ResolveNodeClassAsync(region, nodeClass, cancellationToken));

    // Computed from what the provider holds already: nothing to time.
    public NodePool ApplyNodeClass(string region, NodePool pool, NodeClassDocument nodeClass) => inner.ApplyNodeClass(region, pool, nodeClass);

    public Task<IReadOnlyList<string>?> GetRegionsAsync(CancellationToken cancellationToken = default) =>
        TimeAsync("GetRegions", () => inner.GetRegionsAsync(cancellationToken));

    public Task<IReadOnlyDictionary<string, int>?> GetVcpuQuotasAsync(string account, string region, CancellationToken cancellationToken = default) =>
        TimeAsync("GetVcpuQuotas", () => inner.GetVcpuQuotasAsync(account, region, cancellationToken));

    public Task<InstanceTypeCatalog> GetInstanceTypesAsync(string region, CancellationToken cancellationToken = default) =>
        TimeAsync("GetInstanceTypes", () => inner.GetInstanceTypesAsync(region, cancellationToken));

    public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default) =>
        TimeAsync("Create", () => inner.LaunchAsync(request, cancellationToken));

    public Task<CloudInstance?> GetAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
        TimeAsync("Get", () => inner.GetAsync(region, instanceId, cancellationToken));

    public Task<IReadOnlyList<CloudInstance>> ListAsync(string region, string clusterId, CancellationToken cancellationToken = default) =>
        TimeAsync("List", () => inner.ListAsync(region, clusterId, cancellationToken));

    public Task TerminateAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
        TimeAsync("Delete", async () =>
        {
            await inner.TerminateAsync(region, instanceId, cancellationToken);
            return true;
        });

    public Task<IReadOnlyList<CloudInterruption>> ReceiveInterruptionsAsync(string region, CancellationToken cancellationToken = default) =>
        TimeAsync("ReceiveInterruptions", () => inner.ReceiveInterruptionsAsync(region, cancellationToken));

    private async Task<T> TimeAsync<T>(string method, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await call();
        }
        finally
        {
            CloudProviderMetrics.Calls.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new("controller", CloudProviderMetrics.CurrentController), new("method", method), new("provider", inner.Name));
        }
    }
}
