using System.Text.Json.Nodes;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests.Interruption;

/// <summary>Message bodies in the EventBridge shapes EC2 and AWS Health put on the interruption queue.</summary>
internal static class EventBridgeEvents
{
    public const string Account = "123456789012";

    public static string SpotInterruption(string instanceId, string time = "2026-03-01T10:00:00Z", string region = "us-east-1") =>
        Envelope("aws.ec2", "EC2 Spot Instance Interruption Warning", time, region, [Arn(region, instanceId)],
            new JsonObject { ["instance-id"] = instanceId, ["instance-action"] = "terminate" });

    public static string Rebalance(string instanceId, string time = "2026-03-01T10:00:00Z", string region = "us-east-1") =>
        Envelope("aws.ec2", "EC2 Instance Rebalance Recommendation", time, region, [Arn(region, instanceId)],
            new JsonObject { ["instance-id"] = instanceId });

    public static string StateChange(string instanceId, string state, string time = "2026-03-01T10:00:00Z", string region = "us-east-1") =>
        Envelope("aws.ec2", "EC2 Instance State-change Notification", time, region, [Arn(region, instanceId)],
            new JsonObject { ["instance-id"] = instanceId, ["state"] = state });

    public static string ScheduledChange(
        IEnumerable<string> entities,
        string startTime = "Sun, 08 Mar 2026 14:00:00 GMT",
        string service = "EC2",
        string category = "scheduledChange",
        string time = "2026-03-01T10:00:00Z",
        string region = "us-east-1")
    {
        var affected = new JsonArray();
        foreach (var e in entities)
        {
            affected.Add(new JsonObject { ["entityValue"] = e });
        }

        return Envelope("aws.health", "AWS Health Event", time, region, [],
            new JsonObject
            {
                ["eventArn"] = $"arn:aws:health:{region}::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_X1",
                ["service"] = service,
                ["eventTypeCode"] = "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                ["eventTypeCategory"] = category,
                ["startTime"] = startTime,
                ["endTime"] = "Sun, 08 Mar 2026 16:00:00 GMT",
                ["affectedEntities"] = affected,
            });
    }

    public static string Envelope(string source, string detailType, string time, string region, string[] resources, JsonObject detail, string version = "0")
    {
        var resourceArray = new JsonArray();
        foreach (var r in resources)
        {
            resourceArray.Add(r);
        }

        return new JsonObject
        {
            ["version"] = version,
            ["id"] = Guid.NewGuid().ToString(),
            ["detail-type"] = detailType,
            ["source"] = source,
            ["account"] = Account,
            ["time"] = time,
            ["region"] = region,
            ["resources"] = resourceArray,
            ["detail"] = detail,
        }.ToJsonString();
    }

    private static string Arn(string region, string instanceId) => $"arn:aws:ec2:{region}:{Account}:instance/{instanceId}";
}
