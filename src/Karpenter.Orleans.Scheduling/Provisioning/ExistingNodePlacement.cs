namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>Pods newly placed on an existing node.</summary>
public sealed record ExistingNodePlacement(string Name, IReadOnlyList<string> Pods);
