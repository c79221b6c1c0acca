namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>One offering a NodeClaim's launch may use: instance type, zone, capacity type and its hourly price.</summary>
public sealed record LaunchOffering(string InstanceType, string Zone, string CapacityType, double PricePerHour);
