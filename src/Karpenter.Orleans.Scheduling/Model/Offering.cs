namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>Where and how an instance type can be bought: a zone, a capacity type and an hourly price.</summary>
public sealed record Offering(string Zone, string CapacityType, double Price, bool Available = true);
