namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>One spot or on-demand pool: what an insufficient-capacity fault is injected for.</summary>
internal readonly record struct OfferingKey(string InstanceType, string Zone, string CapacityType);
