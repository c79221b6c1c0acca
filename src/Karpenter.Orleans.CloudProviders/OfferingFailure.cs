namespace Karpenter.Orleans.CloudProviders;

/// <summary>An offering the launch tried and could not use.</summary>
public sealed record OfferingFailure(
    LaunchOffering Offering,
    CloudErrorCode Code,
    string Message);
