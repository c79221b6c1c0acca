namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>A pod a solve fails on: its key ("namespace/name") and the error the solver threw with it alone.</summary>
public sealed record QuarantinedPod(string Pod, string Error);
