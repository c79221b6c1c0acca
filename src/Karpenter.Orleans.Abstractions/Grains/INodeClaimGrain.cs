namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// One NodeClaim, keyed "{clusterId}/{nodeClaim}". Moves Pending → Launched → Registered → Initialized
/// (→ Drifted / Disrupting) → Terminated, persisting every step. Launch is idempotent: a retried or
/// replayed launch finds the instance it already made instead of making another.
/// </summary>
public interface INodeClaimGrain : IGrainWithStringKey
{
    /// <summary>Creates the claim and launches it. Calling again with the same spec returns the same claim.</summary>
    Task<NodeClaimInfo> CreateAsync(NodeClaimSpec spec);

    Task<NodeClaimInfo?> GetAsync();

    /// <summary>Drives the claim forward: finishes an interrupted launch, enforces the registration timeout, finishes termination.</summary>
    Task<NodeClaimInfo?> ReconcileAsync();

    /// <summary>The claim's node joined the cluster.</summary>
    Task<NodeClaimInfo> MarkRegisteredAsync(string nodeName);

    /// <summary>The claim's node is Ready.</summary>
    Task<NodeClaimInfo> MarkInitializedAsync();

    /// <summary>The claim no longer matches its NodePool.</summary>
    Task<NodeClaimInfo> MarkDriftedAsync(string reason);

    /// <summary>
    /// Moves the claim to Disrupting, Draining or Terminating (forward only) without touching its instance:
    /// the cluster's termination flow drives those steps and calls <see cref="DeleteAsync"/> last.
    /// </summary>
    Task<NodeClaimInfo> MarkDisruptionPhaseAsync(NodeClaimPhase phase, string reason);

    /// <summary>A disruption was given up: a Disrupting claim goes back to <paramref name="phase"/> (Registered, Initialized or Drifted).</summary>
    Task<NodeClaimInfo> CancelDisruptionAsync(NodeClaimPhase phase);

    /// <summary>Terminates the instance and ends the claim (through Terminating). Idempotent.</summary>
    Task<NodeClaimInfo> DeleteAsync(string reason);

    /// <summary>Removes a terminated claim's stored state (and its instance record), once the cluster no longer lists it.</summary>
    Task ForgetAsync();

    /// <summary>The cloud will take the instance away; the claim starts disrupting.</summary>
    Task<NodeClaimInfo> NotifyInterruptionAsync(InterruptionNotice notice);
}
