namespace Karpenter.Orleans.CloudProviders.Aws.Interruption;

/// <summary>Reads the region's SQS queue of EventBridge events (spot interruption warnings, rebalance recommendations, scheduled changes, state changes).</summary>
public sealed class AwsInterruptionQueue(AwsClientFactory clients, AwsProviderOptions options, TimeProvider time)
{
    public Task<IReadOnlyList<CloudInterruption>> ReceiveAsync(string region, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"not built yet ({clients}, {options}, {time})");
}
