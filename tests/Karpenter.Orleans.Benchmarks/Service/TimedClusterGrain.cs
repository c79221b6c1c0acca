using System.Collections.Concurrent;
using System.Diagnostics;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Benchmarks.Service;

/// <summary>
/// A cluster grain reference that times the agent's calls (what a simulated cluster's tick waits for),
/// recording each ApplyDeltasAsync with how many node deltas it carried: nodes joining make the grain
/// call their NodeClaims, which costs more than pods.
/// </summary>
public sealed class TimedClusterGrain(IClusterGrain inner) : IClusterGrain
{
    public ConcurrentBag<(DateTimeOffset Start, double Milliseconds, int Deltas, int Nodes)> Calls { get; } = [];

    public async Task<SyncResult> ApplyDeltasAsync(DeltaBatch batch)
    {
        var start = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        var result = await inner.ApplyDeltasAsync(batch);
        Calls.Add((start, watch.Elapsed.TotalMilliseconds, batch.Deltas.Count, batch.Deltas.Count(d => d.Kind == ObjectKind.Node)));
        return result;
    }

    public Task<SyncResult> ResyncAsync(ClusterSnapshot snapshot) => inner.ResyncAsync(snapshot);

    public Task RegisterAsync(ClusterRegistration registration) => inner.RegisterAsync(registration);

    public Task<ClusterRegistration?> GetRegistrationAsync() => inner.GetRegistrationAsync();

    public Task UnregisterAsync() => inner.UnregisterAsync();

    public Task<ProvisioningReport> ProvisionAsync() => inner.ProvisionAsync();

    public Task ReconcileAsync() => inner.ReconcileAsync();

    public Task<ClusterStatus> GetStatusAsync() => inner.GetStatusAsync();

    public Task<IReadOnlyList<PendingPod>> GetPendingPodsAsync() => inner.GetPendingPodsAsync();

    public Task<IReadOnlyList<NodeClaimInfo>> GetNodeClaimsAsync() => inner.GetNodeClaimsAsync();

    public Task<IReadOnlyList<NodeClaimInfo>> GetNodeClaimsForFleetAsync() => inner.GetNodeClaimsForFleetAsync();

    public Task<IReadOnlyList<NodePoolStatus>> GetNodePoolsAsync() => inner.GetNodePoolsAsync();

    public Task<IReadOnlyList<NodeClassManifest>> GetNodeClassesAsync() => inner.GetNodeClassesAsync();

    public Task SetSpendCapAsync(double? pricePerHour) => inner.SetSpendCapAsync(pricePerHour);

    public Task OnNodeClaimChangedAsync(NodeClaimInfo claim) => inner.OnNodeClaimChangedAsync(claim);

    public Task<NodeClaimInfo?> DeleteNodeClaimAsync(string name, string reason) => inner.DeleteNodeClaimAsync(name, reason);

    public Task<IReadOnlyList<ClusterCommand>> GetCommandsAsync() => inner.GetCommandsAsync();

    public Task<CommandAckResult> AcknowledgeCommandsAsync(IReadOnlyList<CommandAck> acks) => inner.AcknowledgeCommandsAsync(acks);

    public Task<DisruptionStatus> DisruptAsync(DisruptionRequest request) => inner.DisruptAsync(request);

    public Task<IReadOnlyList<DisruptionStatus>> GetDisruptionsAsync() => inner.GetDisruptionsAsync();

    public Task<DisruptionExplanation> ExplainDisruptionAsync() => inner.ExplainDisruptionAsync();
}
