namespace Karpenter.Orleans.Scheduling.Termination;

/// <summary>A pod of a draining node not asked to go in this pass (namespace/name) and why.</summary>
public sealed record DrainWait(string Pod, string Reason);
