namespace Karpenter.Orleans.CloudProviders;

/// <summary>An offering a launch may use, with the price the provisioner expects.</summary>
public sealed record LaunchOffering(
    string InstanceType,
    string Zone,
    string CapacityType,
    double PricePerHour);
