using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders;

/// <summary>
/// What the service needs from a cloud, the way Karpenter's CloudProvider interface does it: the
/// instance types and offerings of a region, launch, look up, list, terminate, and interruption events.
/// Calls that the cloud refuses throw <see cref="CloudProviderException"/>; a launch that fails for
/// capacity returns its failures instead, so the caller can mark those offerings unavailable.
/// </summary>
public interface ICloudProvider
{
    /// <summary>The name clusters register with ("simulated", "aws").</summary>
    string Name { get; }

    /// <summary>
    /// The regions clusters may register in, so a typo ("mars-1") is refused at registration rather than
    /// leaving the cluster's pods waiting for capacity that never comes. Null when the provider cannot say
    /// (registration then takes any region and the provider refuses it at the first launch).
    /// </summary>
    Task<IReadOnlyList<string>?> GetRegionsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>?>(null);

    /// <summary>
    /// The vCPU quotas of <paramref name="account"/> in the region, by quota code (<see cref="QuotaCodes"/>,
    /// EC2's Service Quotas codes), which become the limits of the shared quota ledger so clusters of one
    /// account never launch past them together. Null when the provider cannot say (the ledger then uses
    /// the configured default); a code left out has no quota the provider knows of.
    /// </summary>
    Task<IReadOnlyDictionary<string, int>?> GetVcpuQuotasAsync(string account, string region, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<string, int>?>(null);

    /// <summary>
    /// The node class objects this provider launches with (<c>karpenter.k8s.aws</c> <c>EC2NodeClass</c> for AWS): a
    /// NodePool whose <c>nodeClassRef</c> names one the cluster does not have launches nothing. Null when the
    /// provider reads none; node classes and <c>nodeClassRef</c>s are then ignored.
    /// </summary>
    NodeClassType? NodeClasses => null;

    /// <summary>
    /// What <paramref name="nodeClass"/> resolves to in the region (for AWS its subnets, security groups, images
    /// and conditions), as the object's status shows it. Null when the provider reads no node classes. An invalid
    /// node class is not an exception: its status says why it is not ready.
    /// </summary>
    Task<NodeClassStatus?> ResolveNodeClassAsync(string region, NodeClassDocument nodeClass, CancellationToken cancellationToken = default) =>
        Task.FromResult<NodeClassStatus?>(null);

    /// <summary>
    /// <paramref name="pool"/> as a node launched with <paramref name="nodeClass"/> holds pods: for AWS, the
    /// EC2NodeClass's kubelet settings (maxPods, podsPerCore, kubeReserved, systemReserved) give each type of the
    /// region's catalog the allocatable its nodes get (<see cref="NodePool.AllocatableByType"/>). By default the
    /// pool unchanged; also for a node class the provider cannot read (its status says why).
    /// </summary>
    NodePool ApplyNodeClass(string region, NodePool pool, NodeClassDocument nodeClass) => pool;

    /// <summary>Instance types of the region with their current offerings and prices.</summary>
    Task<InstanceTypeCatalog> GetInstanceTypesAsync(string region, CancellationToken cancellationToken = default);

    Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default);

    /// <summary>The instance, or null when the cloud no longer knows it.</summary>
    Task<CloudInstance?> GetAsync(string region, string instanceId, CancellationToken cancellationToken = default);

    /// <summary>Every instance (not yet terminated) the service launched for the cluster.</summary>
    Task<IReadOnlyList<CloudInstance>> ListAsync(string region, string clusterId, CancellationToken cancellationToken = default);

    /// <summary>Terminates the instance. Terminating an instance that is already gone is not an error.</summary>
    Task TerminateAsync(string region, string instanceId, CancellationToken cancellationToken = default);

    /// <summary>Interruption events of the region not yet received (each is delivered once, like a queue).</summary>
    Task<IReadOnlyList<CloudInterruption>> ReceiveInterruptionsAsync(string region, CancellationToken cancellationToken = default);
}
