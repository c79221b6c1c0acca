namespace Karpenter.Orleans.Abstractions;

/// <summary>What one provisioning run did.</summary>
[GenerateSerializer, Immutable]
public sealed record ProvisioningReport(
    int PendingPods,
    int Scheduled,
    int NodeClaimsCreated,
    int Unschedulable,
    double PricePerHourAdded,
    double SolveSeconds);
