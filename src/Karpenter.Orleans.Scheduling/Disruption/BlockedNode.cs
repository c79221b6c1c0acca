namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>A node the planner would not disrupt and the one reason why, as the explain command prints it.</summary>
public sealed record BlockedNode(string Node, BlockReason Kind, string Reason);
