namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// What the Karpenter-style first fit (<see cref="KarpenterFirstFit"/>) launches of one offering:
/// <see cref="Nodes"/> NodeClaims of one instance type, zone and capacity type in one NodePool, at
/// <see cref="PricePerHour"/> in all.
/// </summary>
public sealed record FirstFitLaunch(string NodePool, string InstanceType, string Zone, string CapacityType, int Nodes, double PricePerHour);
