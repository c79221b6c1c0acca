using System.Text.Json.Nodes;
using Karpenter.Orleans.CloudProviders.Aws.Interruption;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests.Interruption;

/// <summary>Each EventBridge event Karpenter reads becomes the interruption the disruption logic acts on, with its deadline.</summary>
public sealed class EventBridgeMessageParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset EventTime = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_spot_interruption_warning_is_due_two_minutes_after_the_event()
    {
        var e = EventBridgeMessageParser.Parse(EventBridgeEvents.SpotInterruption("i-0abc"), "us-east-1", Now);

        var interruption = Assert.Single(e.Interruptions);
        Assert.Equal(new CloudInterruption("i-0abc", "us-east-1", CloudInterruptionKind.SpotInterruption, EventTime, EventTime.AddMinutes(2)), interruption);
        Assert.Equal("aws.ec2", e.Source);
        Assert.Equal("EC2 Spot Instance Interruption Warning", e.DetailType);
    }

    [Fact]
    public void A_rebalance_recommendation_is_advice_without_a_deadline()
    {
        var e = EventBridgeMessageParser.Parse(EventBridgeEvents.Rebalance("i-0abc"), "us-east-1", Now);

        Assert.Equal(new CloudInterruption("i-0abc", "us-east-1", CloudInterruptionKind.Rebalance, EventTime, null), Assert.Single(e.Interruptions));
    }

    [Theory]
    [InlineData("stopping", CloudInterruptionKind.Stopping)]
    [InlineData("stopped", CloudInterruptionKind.Stopping)]
    [InlineData("shutting-down", CloudInterruptionKind.Terminated)]
    [InlineData("terminated", CloudInterruptionKind.Terminated)]
    public void A_state_change_away_from_running_interrupts_the_instance(string state, CloudInterruptionKind kind)
    {
        var e = EventBridgeMessageParser.Parse(EventBridgeEvents.StateChange("i-0abc", state), "us-east-1", Now);

        Assert.Equal(new CloudInterruption("i-0abc", "us-east-1", kind, EventTime, null), Assert.Single(e.Interruptions));
    }

    [Theory]
    [InlineData("pending")]
    [InlineData("running")]
    public void A_state_change_to_pending_or_running_is_no_interruption(string state)
    {
        var e = EventBridgeMessageParser.Parse(EventBridgeEvents.StateChange("i-0abc", state), "us-east-1", Now);

        Assert.Empty(e.Interruptions);
    }

    [Fact]
    public void A_scheduled_change_interrupts_every_affected_instance_by_its_start_time()
    {
        var body = EventBridgeEvents.ScheduledChange(["i-0aaa", "vol-0123", "i-0bbb"], startTime: "Sun, 08 Mar 2026 14:00:00 GMT");

        var e = EventBridgeMessageParser.Parse(body, "us-east-1", Now);

        var start = new DateTimeOffset(2026, 3, 8, 14, 0, 0, TimeSpan.Zero);
        Assert.Equal(
            [
                new CloudInterruption("i-0aaa", "us-east-1", CloudInterruptionKind.ScheduledChange, EventTime, start),
                new CloudInterruption("i-0bbb", "us-east-1", CloudInterruptionKind.ScheduledChange, EventTime, start),
            ],
            e.Interruptions);
    }

    [Fact]
    public void A_scheduled_change_start_time_in_iso_8601_is_read_too()
    {
        var e = EventBridgeMessageParser.Parse(EventBridgeEvents.ScheduledChange(["i-0aaa"], startTime: "2026-03-08T14:00:00Z"), "us-east-1", Now);

        Assert.Equal(new DateTimeOffset(2026, 3, 8, 14, 0, 0, TimeSpan.Zero), Assert.Single(e.Interruptions).Deadline);
    }

    [Theory]
    [InlineData("EC2", "issue")]
    [InlineData("EC2", "accountNotification")]
    [InlineData("RDS", "scheduledChange")]
    public void A_health_event_of_another_service_or_category_takes_no_instance(string service, string category)
    {
        var e = EventBridgeMessageParser.Parse(EventBridgeEvents.ScheduledChange(["i-0aaa"], service: service, category: category), "us-east-1", Now);

        Assert.Empty(e.Interruptions);
    }

    [Fact]
    public void An_event_type_the_provider_does_not_read_is_no_interruption()
    {
        var body = EventBridgeEvents.Envelope("aws.ec2", "EC2 Capacity Reservation Instance Interruption Warning", "2026-03-01T10:00:00Z", "us-east-1", [],
            new JsonObject { ["instance-id"] = "i-0abc" });

        Assert.Empty(EventBridgeMessageParser.Parse(body, "us-east-1", Now).Interruptions);
    }

    [Fact]
    public void Only_envelope_version_0_is_read()
    {
        var body = EventBridgeEvents.Envelope("aws.ec2", "EC2 Spot Instance Interruption Warning", "2026-03-01T10:00:00Z", "us-east-1", [],
            new JsonObject { ["instance-id"] = "i-0abc" }, version: "1");

        Assert.Empty(EventBridgeMessageParser.Parse(body, "us-east-1", Now).Interruptions);
    }

    [Fact]
    public void An_envelope_without_region_or_time_takes_the_queue_region_and_the_clock()
    {
        var body = new JsonObject
        {
            ["detail-type"] = "EC2 Instance Rebalance Recommendation",
            ["source"] = "aws.ec2",
            ["detail"] = new JsonObject { ["instance-id"] = "i-0abc" },
        }.ToJsonString();

        Assert.Equal(new CloudInterruption("i-0abc", "eu-west-1", CloudInterruptionKind.Rebalance, Now, null),
            Assert.Single(EventBridgeMessageParser.Parse(body, "eu-west-1", Now).Interruptions));
    }

    [Theory]
    [InlineData("not json at all", "not JSON")]
    [InlineData("[1,2]", "not an EventBridge event object")]
    [InlineData("""{"detail-type":"EC2 Spot Instance Interruption Warning","detail":{}}""", "source is missing")]
    [InlineData("""{"source":"aws.ec2","detail":{}}""", "detail-type is missing")]
    [InlineData("""{"source":"aws.ec2","detail-type":"EC2 Spot Instance Interruption Warning","detail":{}}""", "detail.instance-id is missing")]
    [InlineData("""{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{"instance-id":"i-1"}}""", "detail.state is missing")]
    [InlineData("""{"source":"aws.ec2","detail-type":"EC2 Instance Rebalance Recommendation"}""", "detail is missing")]
    [InlineData("""{"source":"aws.ec2","detail-type":"EC2 Instance Rebalance Recommendation","time":"yesterday","detail":{"instance-id":"i-1"}}""", "time is not a time")]
    [InlineData("""{"source":"aws.health","detail-type":"AWS Health Event","detail":{"service":"EC2","eventTypeCategory":"scheduledChange"}}""", "detail.affectedEntities is missing")]
    [InlineData("""{"source":"aws.health","detail-type":"AWS Health Event","detail":{"service":"EC2","eventTypeCategory":"scheduledChange","affectedEntities":[{}]}}""", "detail.affectedEntities[0].entityValue is missing")]
    public void A_message_that_is_not_such_an_event_names_the_field_and_not_the_body(string body, string reason)
    {
        var e = Assert.Throws<FormatException>(() => EventBridgeMessageParser.Parse(body, "us-east-1", Now));

        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("i-1", e.Message, StringComparison.Ordinal);
    }
}
