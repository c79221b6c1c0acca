using Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;
using Karpenter.Orleans.CloudProviders.Aws.Instances;
using Karpenter.Orleans.CloudProviders.Aws.Interruption;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders.Aws;

/// <summary>The <see cref="ICloudProvider"/> named "aws": EC2 through AWSSDK.EC2, interruption events through AWSSDK.SQS.</summary>
public sealed class AwsCloudProvider(
    AwsInstanceTypeProvider instanceTypes,
    AwsInstanceProvider instances,
    AwsInterruptionQueue interruptions) : ICloudProvider
{
    public const string ProviderName = "aws";

    public string Name => ProviderName;

    public Task<IReadOnlyList<string>?> GetRegionsAsync(CancellationToken cancellationToken = default) =>
        instanceTypes.GetRegionsAsync(cancellationToken);

    public Task<InstanceTypeCatalog> GetInstanceTypesAsync(string region, CancellationToken cancellationToken = default) =>
        instanceTypes.GetAsync(region, cancellationToken);

    public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default) =>
        instances.LaunchAsync(request, cancellationToken);

    public Task<CloudInstance?> GetAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
        instances.GetAsync(region, instanceId, cancellationToken);

    public Task<IReadOnlyList<CloudInstance>> ListAsync(string region, string clusterId, CancellationToken cancellationToken = default) =>
        instances.ListAsync(region, clusterId, cancellationToken);

    public Task TerminateAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
        instances.TerminateAsync(region, instanceId, cancellationToken);

    public Task<IReadOnlyList<CloudInterruption>> ReceiveInterruptionsAsync(string region, CancellationToken cancellationToken = default) =>
        interruptions.ReceiveAsync(region, cancellationToken);
}
