using Amazon.EC2;
using Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;
using Karpenter.Orleans.CloudProviders.Aws.Instances;
using Karpenter.Orleans.CloudProviders.Aws.Interruption;
using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.CloudProviders.Aws.Quotas;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders.Aws;

/// <summary>The <see cref="ICloudProvider"/> named "aws": EC2 through AWSSDK.EC2, interruption events through AWSSDK.SQS.</summary>
public sealed class AwsCloudProvider(
    AwsInstanceTypeProvider instanceTypes,
    AwsInstanceProvider instances,
    AwsInterruptionQueue interruptions,
    AwsVcpuQuotas quotas,
    AwsProviderOptions options,
    AwsNodeClassResolver nodeClasses) : ICloudProvider
{
    public const string ProviderName = "aws";

    private static readonly NodeClassType EC2NodeClasses = new("karpenter.k8s.aws", EC2NodeClass.KindName);

    public string Name => ProviderName;

    public NodeClassType NodeClasses => EC2NodeClasses;

    public async Task<NodeClassStatus?> ResolveNodeClassAsync(string region, NodeClassDocument nodeClass, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodeClass);
        if (nodeClass.Kind != EC2NodeClass.KindName)
        {
            return new NodeClassStatus(false, EC2NodeClassStatus.Invalid(
                $"{nodeClass.Kind} {nodeClass.Name}: the aws provider reads {EC2NodeClass.ApiVersion} {EC2NodeClass.KindName} objects only").ToJson());
        }

        try
        {
            var status = await nodeClasses.ResolveAsync(region, nodeClass, cancellationToken).ConfigureAwait(false);
            if (instances.Refusal(region) is { } refusal)
            {
                // A refused permission is the node class's problem to show, not only the claim's.
                status = status.Refused(refusal.Code, $"EC2 refused {refusal.Action} in {region} at {refusal.At:O}: {refusal.Message}; launches are not tried again before {refusal.Until:O}");
            }

            return new NodeClassStatus(status.IsReady, status.ToJson());
        }
        catch (AmazonEC2Exception e)
        {
            throw new CloudProviderException(Ec2ErrorCodes.ToCloudErrorCode(e.ErrorCode),
                $"resolving EC2NodeClass {nodeClass.Name} in {region}: {e.ErrorCode}: {e.Message}", e);
        }
    }

    public NodePool ApplyNodeClass(string region, NodePool pool, NodeClassDocument nodeClass)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(nodeClass);
        if (nodeClass.Kind != EC2NodeClass.KindName)
        {
            return pool;
        }

        EC2NodeClass parsed;
        try
        {
            parsed = EC2NodeClassParser.Parse(nodeClass);
        }
        catch (ManifestException)
        {
            // Its status says why; the launch refuses it.
            return pool;
        }

        var kubelet = Ec2KubeletSettings.From(parsed.Kubelet);
        if (kubelet.IsDefault)
        {
            return pool;
        }

        // Karpenter sizes a node of the node class from the type's facts and its kubelet settings, pods and reserves alike.
        var facts = instanceTypes.CapacityFacts(region);
        return pool with { AllocatableByType = facts.ToDictionary(f => f.Key, f => Ec2Allocatable.Allocatable(f.Value, kubelet), StringComparer.Ordinal) };
    }

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
