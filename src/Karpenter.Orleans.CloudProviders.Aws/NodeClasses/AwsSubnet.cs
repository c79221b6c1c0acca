namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>A subnet a launch may use.</summary>
public sealed record AwsSubnet(string Id, string Zone, string? ZoneId, int AvailableIpAddressCount);
