namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>What the cluster costs now and after every action of the plan.</summary>
public sealed record DisruptionSummary(double PricePerHourBefore, double PricePerHourAfter, double SavingPerHour);
