namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>Where a disrupted pod (namespace/name) would run next: an existing node or a replacement NodeClaim.</summary>
public sealed record PodMove(string Pod, string To);
