namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>A pod no node or new claim could take, with the one reason a user can act on.</summary>
public sealed record UnschedulablePod(string Pod, string Reason);
