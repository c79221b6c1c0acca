using System.Collections.Concurrent;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Service.Tests.TestSupport;

/// <summary>
/// A provider that launches with <c>EC2NodeClass</c>es, as the AWS provider does, on the test's simulated cloud:
/// it records every launch request, so a test sees the node class each launch was handed.
/// </summary>
public sealed class NodeClassRecordingProvider(SimulatedCloudProvider cloud) : ICloudProvider
{
    public const string ProviderName = "ec2-recorded";

    public ConcurrentQueue<LaunchRequest> Launches { get; } = new();

    public string Name => ProviderName;

    public NodeClassType NodeClasses { get; } = new("karpenter.k8s.aws", "EC2NodeClass");

    public Task<NodeClassStatus?> ResolveNodeClassAsync(string region, NodeClassDocument nodeClass, CancellationToken cancellationToken = default) =>
        Task.FromResult<NodeClassStatus?>(new NodeClassStatus(true, $$"""{"resolvedIn":"{{region}}"}"""));

    public Task<InstanceTypeCatalog> GetInstanceTypesAsync(string region, CancellationToken cancellationToken = default) =>
        cloud.GetInstanceTypesAsync(region, cancellationToken);

    public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default)
    {
        Launches.Enqueue(request);
        return cloud.LaunchAsync(request, cancellationToken);
    }

    public Task<CloudInstance?> GetAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
        cloud.GetAsync(region, instanceId, cancellationToken);

    public Task<IReadOnlyList<CloudInstance>> ListAsync(string region, string clusterId, CancellationToken cancellationToken = default) =>
        cloud.ListAsync(region, clusterId, cancellationToken);

    public Task TerminateAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
        cloud.TerminateAsync(region, instanceId, cancellationToken);

    public Task<IReadOnlyList<CloudInterruption>> ReceiveInterruptionsAsync(string region, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<CloudInterruption>>([]);
}
