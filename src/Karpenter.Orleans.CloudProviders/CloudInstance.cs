namespace Karpenter.Orleans.CloudProviders;

/// <summary>An instance as the cloud reports it. ProviderId is what the node's spec.providerID carries.</summary>
public sealed record CloudInstance(
    string Id,
    string ProviderId,
    string Region,
    string Zone,
    string InstanceType,
    string CapacityType,
    double PricePerHour,
    CloudInstanceState State,
    DateTimeOffset LaunchedAt,
    string ClusterId,
    string NodeClaim,
    string NodePool,
    IReadOnlyDictionary<string, string> Tags);
