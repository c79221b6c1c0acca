using Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;
using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

namespace Karpenter.Orleans.CloudProviders.Aws.Instances;

/// <summary>Launches through CreateFleet, and looks up, lists and terminates the instances it launched.</summary>
public sealed class AwsInstanceProvider(AwsClientFactory clients, AwsInstanceTypeProvider instanceTypes, AwsNodeClassResolver nodeClasses, TimeProvider time)
{
    public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"not built yet ({clients}, {instanceTypes}, {nodeClasses}, {time})");

    public Task<CloudInstance?> GetAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("not built yet");

    public Task<IReadOnlyList<CloudInstance>> ListAsync(string region, string clusterId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("not built yet");

    public Task TerminateAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("not built yet");
}
