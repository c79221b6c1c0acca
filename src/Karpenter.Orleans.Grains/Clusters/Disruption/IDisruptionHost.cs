using Karpenter.Orleans.Grains.Clusters.Termination;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Grains.Clusters.Disruption;

/// <summary>What the disruption orchestration queue needs from the cluster grain besides what termination does.</summary>
internal interface IDisruptionHost : ITerminationHost
{
    /// <summary>Creates and launches NodeClaims for the plans (the provisioner's own path); the names of those created.</summary>
    Task<IReadOnlyList<string>> CreateReplacementsAsync(IReadOnlyList<PlannedNodeClaim> plans);

    /// <summary>A given-up disruption: the claim's grain and index go back from Disrupting to <paramref name="phase"/>.</summary>
    Task CancelDisruptionAsync(string claim, NodeClaimPhase phase);
}
