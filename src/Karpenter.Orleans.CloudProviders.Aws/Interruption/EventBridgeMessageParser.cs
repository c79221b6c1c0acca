using System.Globalization;
using System.Text.Json;

namespace Karpenter.Orleans.CloudProviders.Aws.Interruption;

/// <summary>
/// Turns the body of an interruption-queue message (an EventBridge event, the shapes Karpenter's
/// interruption controller reads) into <see cref="CloudInterruption"/>s, dispatching on the envelope's
/// <c>source</c> and <c>detail-type</c>. Pure: the clock only fills in an event without a <c>time</c>.
/// A body that is not such an event throws <see cref="FormatException"/> naming the field, never quoting
/// the body (it may carry account ids and ARNs the log should not).
/// </summary>
public static class EventBridgeMessageParser
{
    public const string Ec2Source = "aws.ec2";
    public const string HealthSource = "aws.health";
    public const string SpotInterruptionWarning = "EC2 Spot Instance Interruption Warning";
    public const string RebalanceRecommendation = "EC2 Instance Rebalance Recommendation";
    public const string InstanceStateChange = "EC2 Instance State-change Notification";
    public const string HealthEvent = "AWS Health Event";

    /// <summary>How long EC2 gives a spot instance after its interruption warning.</summary>
    public static readonly TimeSpan SpotWarning = TimeSpan.FromMinutes(2);

    /// <summary>Reads one message body; <paramref name="queueRegion"/> stands in for an envelope without <c>region</c>.</summary>
    public static EventBridgeEvent Parse(string body, string queueRegion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentException.ThrowIfNullOrEmpty(queueRegion);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            // The reader's message gives the position, not the text.
            throw new FormatException($"the message is not JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"the message is a JSON {root.ValueKind}, not an EventBridge event object");
            }

            var source = RequiredString(root, "source");
            var detailType = RequiredString(root, "detail-type");
            var id = OptionalString(root, "id");
            var version = OptionalString(root, "version");
            if (version is not null && version != "0")
            {
                // A later envelope version may mean other fields: like Karpenter, only version 0 is read.
                return new EventBridgeEvent(id, source, detailType, []);
            }

            var region = OptionalString(root, "region") ?? queueRegion;
            var at = OptionalString(root, "time") is { } time ? Time(time, "time") : now;
            IReadOnlyList<CloudInterruption> interruptions = (source, detailType) switch
            {
                (Ec2Source, SpotInterruptionWarning) =>
                    [new CloudInterruption(InstanceId(root), region, CloudInterruptionKind.SpotInterruption, at, at + SpotWarning)],
                (Ec2Source, RebalanceRecommendation) =>
                    [new CloudInterruption(InstanceId(root), region, CloudInterruptionKind.Rebalance, at, null)],
                (Ec2Source, InstanceStateChange) => StateChange(root, region, at),
                (HealthSource, HealthEvent) => ScheduledChange(root, region, at),
                _ => [],
            };
            return new EventBridgeEvent(id, source, detailType, interruptions);
        }
    }

    /// <summary>
    /// Stopping and stopped instances are drained (Karpenter's instance_stopped); shutting-down and terminated
    /// ones are gone (instance_terminated); pending and running are no interruption.
    /// </summary>
    private static IReadOnlyList<CloudInterruption> StateChange(JsonElement root, string region, DateTimeOffset at)
    {
        var detail = Detail(root);
        var instance = RequiredString(detail, "instance-id", "detail.");
        var state = RequiredString(detail, "state", "detail.");
        return state switch
        {
            "stopping" or "stopped" => [new CloudInterruption(instance, region, CloudInterruptionKind.Stopping, at, null)],
            "shutting-down" or "terminated" => [new CloudInterruption(instance, region, CloudInterruptionKind.Terminated, at, null)],
            _ => [],
        };
    }

    /// <summary>An EC2 scheduled change (maintenance, retirement) for each affected instance, due at its start time.</summary>
    private static IReadOnlyList<CloudInterruption> ScheduledChange(JsonElement root, string region, DateTimeOffset at)
    {
        var detail = Detail(root);
        if (OptionalString(detail, "service") != "EC2" || OptionalString(detail, "eventTypeCategory") != "scheduledChange")
        {
            // Other services' and other categories' health events (issues, account notifications) take no instance away.
            return [];
        }

        DateTimeOffset? deadline = OptionalString(detail, "startTime") is { } start ? Time(start, "detail.startTime") : null;
        if (!detail.TryGetProperty("affectedEntities", out var entities) || entities.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("detail.affectedEntities is missing or not an array");
        }

        var result = new List<CloudInterruption>();
        var index = 0;
        foreach (var entity in entities.EnumerateArray())
        {
            var value = entity.ValueKind == JsonValueKind.Object ? OptionalString(entity, "entityValue") : null;
            if (value is null)
            {
                throw new FormatException($"detail.affectedEntities[{index}].entityValue is missing");
            }

            // A health event can name other resources (volumes, hosts); only instances are interrupted.
            if (value.StartsWith("i-", StringComparison.Ordinal))
            {
                result.Add(new CloudInterruption(value, region, CloudInterruptionKind.ScheduledChange, at, deadline));
            }

            index++;
        }

        return result;
    }

    private static string InstanceId(JsonElement root) => RequiredString(Detail(root), "instance-id", "detail.");

    private static JsonElement Detail(JsonElement root) =>
        root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.Object
            ? detail
            : throw new FormatException("detail is missing or not an object");

    private static DateTimeOffset Time(string value, string field) =>
        // EventBridge envelopes carry ISO 8601 ("2024-05-01T10:00:00Z"); Health details RFC 1123 ("Wed, 01 May 2024 10:00:00 GMT").
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : throw new FormatException($"{field} is not a time");

    private static string RequiredString(JsonElement element, string name, string prefix = "") =>
        OptionalString(element, name) ?? throw new FormatException($"{prefix}{name} is missing or not a string");

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;
}
