namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// One managed cluster, keyed by cluster id. Holds what the cluster's agent reports (pods, nodes,
/// NodePools, DaemonSets), batches pending pods the way Karpenter does, runs the provisioning solver
/// and creates NodeClaims.
/// </summary>
public interface IClusterGrain : IGrainWithStringKey
{
    /// <summary>Creates or updates the cluster's registration (admin path, through the fleet).</summary>
    Task RegisterAsync(ClusterRegistration registration);

    [AlwaysInterleave]
    Task<ClusterRegistration?> GetRegistrationAsync();

    /// <summary>Forgets the registration (the fleet removed the cluster). NodeClaims and their instances are left alone.</summary>
    Task UnregisterAsync();

    /// <summary>Replaces the reported state with a full snapshot (agent connect or resync).</summary>
    Task<SyncResult> ResyncAsync(ClusterSnapshot snapshot);

    /// <summary>Applies changes in sequence order; duplicates are ignored, a gap asks for a resync.</summary>
    Task<SyncResult> ApplyDeltasAsync(DeltaBatch batch);

    /// <summary>Runs one provisioning pass now instead of waiting for the batch window to close.</summary>
    Task<ProvisioningReport> ProvisionAsync();

    /// <summary>Housekeeping: NodeClaim lifecycles, registration timeouts, orphaned instances, empty nodes.</summary>
    Task ReconcileAsync();

    // The reads marked AlwaysInterleave run while a turn waits (on a solve, storage or the cloud): they only read,
    // so the fleet's fan-out (the cluster list, the console, fleet-wide NodeClaims and pending pods) answers
    // while clusters work instead of queueing behind their provisioning passes. They may show a turn half done
    // (a claim created, its commands not yet queued); a caller that needs a turn's outcome asks a non-interleaved
    // method (commands, disruptions, node pools).
    [AlwaysInterleave]
    Task<ClusterStatus> GetStatusAsync();

    [AlwaysInterleave]
    Task<IReadOnlyList<PendingPod>> GetPendingPodsAsync();

    /// <summary>The NodeClaims as of the end of the last turn (what the agent and tests read to learn a turn's outcome).</summary>
    Task<IReadOnlyList<NodeClaimInfo>> GetNodeClaimsAsync();

    /// <summary>
    /// The NodeClaims now, answered while a turn waits: for fleet-wide views over many busy clusters (the
    /// console, <c>/api/v1/nodeclaims</c>), which may show a claim whose turn has not ended yet.
    /// </summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<NodeClaimInfo>> GetNodeClaimsForFleetAsync();

    Task<IReadOnlyList<NodePoolStatus>> GetNodePoolsAsync();

    /// <summary>The node classes the agent sent (kept in the cluster's stored state), by name.</summary>
    Task<IReadOnlyList<NodeClassManifest>> GetNodeClassesAsync();

    /// <summary>Runs the disruption planner as a what-if and says, per node, what it would do or what blocks it.</summary>
    Task<DisruptionExplanation> ExplainDisruptionAsync();

    /// <summary>Sets the hourly spend ceiling (null removes it); provisioning never crosses it.</summary>
    Task SetSpendCapAsync(double? pricePerHour);

    /// <summary>
    /// Deletes a NodeClaim the way Karpenter's termination controller does: taint its node, evict its pods
    /// (PodDisruptionBudgets respected until the NodePool's terminationGracePeriod), then terminate the
    /// instance and delete the Node. Returns at once with the claim Disrupting; null for an unknown claim.
    /// </summary>
    Task<NodeClaimInfo?> DeleteNodeClaimAsync(string name, string reason);

    /// <summary>The commands for this cluster's agent not yet acknowledged, oldest first (delivered again until they are).</summary>
    Task<IReadOnlyList<ClusterCommand>> GetCommandsAsync();

    /// <summary>The agent's outcomes; an ack for an unknown or already acknowledged command is ignored.</summary>
    Task<CommandAckResult> AcknowledgeCommandsAsync(IReadOnlyList<CommandAck> acks);

    /// <summary>Queues a disruption of the given nodes (the orchestration queue); throws ArgumentException naming what is wrong.</summary>
    Task<DisruptionStatus> DisruptAsync(DisruptionRequest request);

    /// <summary>The orchestration queue's commands still running and those that ended recently.</summary>
    Task<IReadOnlyList<DisruptionStatus>> GetDisruptionsAsync();

    /// <summary>A NodeClaim of this cluster changed phase (called by the NodeClaim grain).</summary>
    [OneWay]
    Task OnNodeClaimChangedAsync(NodeClaimInfo claim);
}
