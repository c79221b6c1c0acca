using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;

/// <summary>The region's instance types with allocatable, labels, offerings and prices.</summary>
public sealed class AwsInstanceTypeProvider(AwsClientFactory clients, AwsProviderOptions options)
{
    public Task<IReadOnlyList<string>?> GetRegionsAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"not built yet ({clients}, {options})");

    public Task<InstanceTypeCatalog> GetAsync(string region, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("not built yet");
}
