namespace Karpenter.Orleans.CloudProviders.Aws.Interruption;

/// <summary>
/// One EventBridge event read from the interruption queue: its envelope's id, source and detail-type, and
/// the interruptions it carries (none for an event the service does not act on, such as a state change to
/// <c>running</c>; several for an AWS Health event naming several instances).
/// </summary>
public sealed record EventBridgeEvent(
    string? Id,
    string Source,
    string DetailType,
    IReadOnlyList<CloudInterruption> Interruptions);
