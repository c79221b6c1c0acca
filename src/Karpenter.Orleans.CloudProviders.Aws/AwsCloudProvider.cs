using Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;
using Karpenter.Orleans.CloudProviders.Aws.Instances;
using Karpenter.Orleans.CloudProviders.Aws.Interruption;
using Karpenter.Orleans.CloudProviders.Aws.Quotas;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders.Aws;

/// <summary>The <see cref="ICloudProvider"/> named "aws": EC2 through AWSSDK.EC2, interruption events through AWSSDK.SQS.</summary>
public sealed class AwsCloudProvider(
    AwsInstanceTypeProvider instanceTypes,
    AwsInstanceProvider instances,
    AwsInterruptionQueue interruptions,
    AwsVcpuQuotas quotas,
    AwsProviderOptions options) : ICloudProvider
{
    public const string ProviderName = "aws";

    public string Name => ProviderName;

    public Task<IReadOnlyList<string>?> GetRegionsAsync(CancellationToken cancellationToken = default) =>
        instanceTypes.GetRegionsAsync(cancellationToken);

    public Task<InstanceTypeCatalog> GetInstanceTypesAsync(string region, CancellationToken cancellationToken = default) =>
        instanceTypes.GetAsync(region, cancellationToken);

    public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (options.Account is { Length: > 0 } account && request.Account != account)
        {
            throw new CloudProviderException(CloudErrorCode.InvalidRequest,
                $"cluster {request.ClusterId} is registered with account '{request.Account}', but the AWS provider's credentials are for account '{account}' ({AwsProviderOptions.SectionName}:Account)");
        }

        return instances.LaunchAsync(request, cancellationToken);
    }

    public Task<CloudInstance?> GetAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
        instances.GetAsync(region, instanceId, cancellationToken);

    public Task<IReadOnlyList<CloudInstance>> ListAsync(string region, string clusterId, CancellationToken cancellationToken = default) =>
        instances.ListAsync(region, clusterId, cancellationToken);

    public Task TerminateAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
        instances.TerminateAsync(region, instanceId, cancellationToken);

    public Task<IReadOnlyDictionary<string, int>?> GetVcpuQuotasAsync(string account, string region, CancellationToken cancellationToken = default) =>
        Task.FromResult(quotas.For(account, region));

    public Task<IReadOnlyList<CloudInterruption>> ReceiveInterruptionsAsync(string region, CancellationToken cancellationToken = default) =>
        interruptions.ReceiveAsync(region, cancellationToken);
}
