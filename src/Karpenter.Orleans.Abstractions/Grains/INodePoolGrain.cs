namespace Karpenter.Orleans.Abstractions;

/// <summary>One NodePool of one cluster, keyed "{clusterId}/{nodePool}": its spec, validation, and usage against limits.</summary>
public interface INodePoolGrain : IGrainWithStringKey
{
    /// <summary>Stores and validates a karpenter.sh/v1 NodePool (JSON or YAML). An invalid spec is kept with its error.</summary>
    Task<NodePoolStatus> SetSpecAsync(string manifest);

    Task RemoveAsync();

    Task<NodePoolStatus?> GetAsync();

    Task ReportUsageAsync(NodePoolUsage usage);
}
