using Amazon.SQS.Model;
using Karpenter.Orleans.CloudProviders.Aws.Interruption;
using Microsoft.Extensions.Time.Testing;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests.Interruption;

/// <summary>EventBridge events put on a real SQS queue (moto) come out as interruptions once, and the queue is left empty.</summary>
[Collection(MotoCollection.Name)]
public sealed class AwsInterruptionQueueTests(MotoServer moto) : IAsyncLifetime
{
    private const string Region = "us-east-1";
    private const string QueueName = "karpo-interruptions";
    private static readonly DateTimeOffset EventTime = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Every_kind_of_event_is_received_as_its_interruption_and_deleted()
    {
        var (queue, clients, url) = await QueueAsync(QueueName);
        using var _ = clients;
        await SendAsync(clients, url,
            EventBridgeEvents.SpotInterruption("i-0spot"),
            EventBridgeEvents.Rebalance("i-0rebalance"),
            EventBridgeEvents.ScheduledChange(["i-0maint"], startTime: "Sun, 08 Mar 2026 14:00:00 GMT"),
            EventBridgeEvents.StateChange("i-0stopping", "stopping"),
            EventBridgeEvents.StateChange("i-0gone", "terminated"),
            EventBridgeEvents.StateChange("i-0running", "running"));

        var received = await ReceiveAllAsync(queue);

        Assert.Equal(
            [
                new CloudInterruption("i-0gone", Region, CloudInterruptionKind.Terminated, EventTime, null),
                new CloudInterruption("i-0maint", Region, CloudInterruptionKind.ScheduledChange, EventTime, new DateTimeOffset(2026, 3, 8, 14, 0, 0, TimeSpan.Zero)),
                new CloudInterruption("i-0rebalance", Region, CloudInterruptionKind.Rebalance, EventTime, null),
                new CloudInterruption("i-0spot", Region, CloudInterruptionKind.SpotInterruption, EventTime, EventTime.AddMinutes(2)),
                new CloudInterruption("i-0stopping", Region, CloudInterruptionKind.Stopping, EventTime, null),
            ],
            received.OrderBy(i => i.InstanceId, StringComparer.Ordinal));
        Assert.Empty(await queue.ReceiveAsync(Region));
        Assert.Equal(0, await ApproximateCountAsync(clients, url));
    }

    [Fact]
    public async Task An_unparsable_message_is_deleted_and_the_others_still_arrive()
    {
        var (queue, clients, url) = await QueueAsync(QueueName);
        using var _ = clients;
        await SendAsync(clients, url, "{\"secret\":\"AKIA-not-an-event\"}", EventBridgeEvents.SpotInterruption("i-0spot"));

        var received = await ReceiveAllAsync(queue);

        Assert.Equal("i-0spot", Assert.Single(received).InstanceId);
        Assert.Equal(0, await ApproximateCountAsync(clients, url));
    }

    [Fact]
    public async Task The_queue_can_be_configured_by_its_url()
    {
        using var setup = new AwsClientFactory(moto.Options(Region), MotoServer.Credentials);
        var url = (await setup.Sqs(Region).CreateQueueAsync(new CreateQueueRequest { QueueName = "by-url" })).QueueUrl;
        var options = Options();
        options.InterruptionQueues[Region] = url;
        using var clients = new AwsClientFactory(options, MotoServer.Credentials);
        var queue = new AwsInterruptionQueue(clients, options, new FakeTimeProvider(EventTime));
        await SendAsync(clients, url, EventBridgeEvents.Rebalance("i-0abc"));

        Assert.Equal("i-0abc", Assert.Single(await ReceiveAllAsync(queue)).InstanceId);
    }

    [Fact]
    public async Task A_region_without_a_queue_receives_nothing_and_calls_no_aws()
    {
        var calls = 0;
        var options = Options();
        options.ServiceUrl = "http://127.0.0.1:9";
        using var clients = new AwsClientFactory(options, MotoServer.Credentials, () => new CountingHandler(() => calls++));
        var queue = new AwsInterruptionQueue(clients, options, new FakeTimeProvider(EventTime));

        Assert.Empty(await queue.ReceiveAsync("eu-west-1"));
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task A_queue_that_does_not_exist_is_a_not_found_error_naming_the_setting()
    {
        var options = Options();
        options.InterruptionQueues[Region] = "no-such-queue";
        using var clients = new AwsClientFactory(options, MotoServer.Credentials);
        var queue = new AwsInterruptionQueue(clients, options, new FakeTimeProvider(EventTime));

        var e = await Assert.ThrowsAsync<CloudProviderException>(() => queue.ReceiveAsync(Region));

        Assert.Equal(CloudErrorCode.NotFound, e.Code);
        Assert.Contains("Karpo:Aws:InterruptionQueues:us-east-1", e.Message, StringComparison.Ordinal);
    }

    private AwsProviderOptions Options()
    {
        var options = moto.Options(Region);
        // Short: an empty receive should not hold a test for SQS's 20 s.
        options.InterruptionQueueWaitTime = TimeSpan.FromSeconds(1);
        return options;
    }

    private async Task<(AwsInterruptionQueue Queue, AwsClientFactory Clients, string Url)> QueueAsync(string name)
    {
        var options = Options();
        options.InterruptionQueues[Region] = name;
        var clients = new AwsClientFactory(options, MotoServer.Credentials);
        var url = (await clients.Sqs(Region).CreateQueueAsync(new CreateQueueRequest { QueueName = name })).QueueUrl;
        return (new AwsInterruptionQueue(clients, options, new FakeTimeProvider(EventTime)), clients, url);
    }

    private static async Task SendAsync(AwsClientFactory clients, string url, params string[] bodies)
    {
        foreach (var body in bodies)
        {
            await clients.Sqs(Region).SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = body });
        }
    }

    /// <summary>Receives until a receive comes back empty: SQS hands out at most ten, and not always all that are there.</summary>
    private static async Task<List<CloudInterruption>> ReceiveAllAsync(AwsInterruptionQueue queue)
    {
        var all = new List<CloudInterruption>();
        for (var i = 0; i < 10; i++)
        {
            var batch = await queue.ReceiveAsync(Region);
            if (batch.Count == 0)
            {
                break;
            }

            all.AddRange(batch);
        }

        return all;
    }

    private static async Task<int> ApproximateCountAsync(AwsClientFactory clients, string url)
    {
        var attributes = await clients.Sqs(Region).GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = url,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        return attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible;
    }

    private sealed class CountingHandler(Action onCall) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onCall();
            return base.SendAsync(request, cancellationToken);
        }
    }
}
