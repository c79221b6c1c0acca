using System.Collections.Concurrent;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Karpenter.Orleans.CloudProviders.Aws.Interruption;

/// <summary>
/// Reads the region's SQS queue of EventBridge events (spot interruption warnings, rebalance recommendations,
/// scheduled changes, state changes), as Karpenter's interruption controller does: long-polls up to ten
/// messages, parses each and deletes it, also when it cannot be parsed (a poisoned message would otherwise
/// come back forever). A region without a configured queue has no events and costs no AWS call.
/// </summary>
public sealed class AwsInterruptionQueue(
    AwsClientFactory clients,
    AwsProviderOptions options,
    TimeProvider time,
    ILogger<AwsInterruptionQueue>? logger = null)
{
    /// <summary>How long a received message stays hidden from other receivers while it is handled (Karpenter: 20 s).</summary>
    private const int VisibilityTimeoutSeconds = 20;

    private readonly ILogger _logger = logger ?? NullLogger<AwsInterruptionQueue>.Instance;
    private readonly ConcurrentDictionary<string, string> _queueUrls = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<CloudInterruption>> ReceiveAsync(string region, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        if (!options.InterruptionQueues.TryGetValue(region, out var queue) || string.IsNullOrWhiteSpace(queue))
        {
            return [];
        }

        var sqs = clients.Sqs(region);
        var url = await QueueUrlAsync(sqs, region, queue, cancellationToken).ConfigureAwait(false);
        ReceiveMessageResponse received;
        try
        {
            received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = url,
                MaxNumberOfMessages = 10,
                VisibilityTimeout = VisibilityTimeoutSeconds,
                WaitTimeSeconds = (int)options.InterruptionQueueWaitTime.TotalSeconds,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (QueueDoesNotExistException e)
        {
            // The queue may have been deleted and made again under the same name: ask for its URL next time.
            _queueUrls.TryRemove(region, out _);
            throw new CloudProviderException(CloudErrorCode.NotFound, $"interruption queue '{queue}' of {region} (Karpo:Aws:InterruptionQueues:{region}) does not exist", e);
        }

        var result = new List<CloudInterruption>();
        foreach (var message in received.Messages ?? [])
        {
            try
            {
                var parsed = EventBridgeMessageParser.Parse(message.Body ?? "", region, time.GetUtcNow());
                result.AddRange(parsed.Interruptions);
                if (parsed.Interruptions.Count == 0)
                {
                    _logger.LogDebug("Interruption queue of {Region}: event {EventId} ({Source} / {DetailType}) takes no instance away", region, parsed.Id, parsed.Source, parsed.DetailType);
                }
            }
            catch (FormatException e)
            {
                // The reason names the field; the body is not logged (account ids, ARNs).
                _logger.LogWarning("Interruption queue of {Region}: message {MessageId} is not an EventBridge event the provider reads ({Reason}); deleting it", region, message.MessageId, e.Message);
            }

            await sqs.DeleteMessageAsync(new DeleteMessageRequest { QueueUrl = url, ReceiptHandle = message.ReceiptHandle }, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<string> QueueUrlAsync(IAmazonSQS sqs, string region, string queue, CancellationToken cancellationToken)
    {
        if (queue.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || queue.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return queue;
        }

        if (_queueUrls.TryGetValue(region, out var known))
        {
            return known;
        }

        try
        {
            var response = await sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queue }, cancellationToken).ConfigureAwait(false);
            return _queueUrls[region] = response.QueueUrl;
        }
        catch (QueueDoesNotExistException e)
        {
            throw new CloudProviderException(CloudErrorCode.NotFound, $"interruption queue '{queue}' of {region} (Karpo:Aws:InterruptionQueues:{region}) does not exist", e);
        }
    }
}
