using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Silo.Console;

/// <summary>One cluster's answer to the fleet read: its status, NodeClaims and pending pods, read together.</summary>
public sealed record ClusterAnswer(ClusterStatus Status, IReadOnlyList<NodeClaimInfo> NodeClaims, IReadOnlyList<FleetPendingPod> PendingPods);
