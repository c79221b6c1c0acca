using Karpenter.Orleans.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Grains.Instances;

/// <summary>
/// One cloud instance and its NodeClaim. Reentrant because a notice it forwards may lead the claim to
/// record the instance's end here while the notice call is still running.
/// </summary>
[Reentrant]
public sealed class InstanceGrain(
    [PersistentState("instance", StorageNames.Karpo)] IPersistentState<InstanceState> state,
    ILogger<InstanceGrain> logger) : Grain, IInstanceGrain
{
    private CoalescingWriter? _coalescing;

    private Task WriteAsync() => (_coalescing ??= new CoalescingWriter(state.WriteStateAsync)).WriteAsync();

    async Task<InstanceRecord?> IInstanceGrain.BindAsync(InstanceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (state.State.Record is { } bound && (bound.ClusterId != record.ClusterId || bound.NodeClaim != record.NodeClaim))
        {
            // Never taken for the first claim's instance: ending the second claim would end the first one's node.
            KarpoTelemetry.InstanceBindingConflicts.Add(1, new("provider", record.Provider), new("region", record.Region));
            logger.LogError("Instance {Instance} is bound to NodeClaim {BoundCluster}/{BoundClaim}; NodeClaim {Cluster}/{NodeClaim} may not take it too",
                this.GetPrimaryKeyString(), bound.ClusterId, bound.NodeClaim, record.ClusterId, record.NodeClaim);
            return bound;
        }

        // Notices are kept when the claim records a newer state.
        var notices = state.State.Record?.Notices ?? [];
        state.State.Record = record with { Notices = record.Notices.Count >= notices.Count ? record.Notices : notices };
        await WriteAsync();
        return null;
    }

    Task<InstanceRecord?> IInstanceGrain.GetAsync() => Task.FromResult(state.State.Record);

    async Task IInstanceGrain.ForgetAsync()
    {
        if (state.State.Record is not null)
        {
            state.State.Record = null;
            // Let a write still in flight finish before the row is cleared, so it cannot bring the record back.
            await WriteAsync();
            await state.ClearStateAsync();
        }

        DeactivateOnIdle();
    }

    async Task IInstanceGrain.NotifyInterruptionAsync(InterruptionNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (state.State.Record is not { } record)
        {
            logger.LogWarning("Interruption notice {Kind} for unknown instance {Instance} ignored", notice.Kind, this.GetPrimaryKeyString());
            return;
        }

        if (record.Notices.Any(n => n.Kind == notice.Kind && n.At == notice.At))
        {
            return;
        }

        state.State.Record = record with { Notices = [.. record.Notices, notice] };
        await WriteAsync();
        await GrainFactory.GetGrain<INodeClaimGrain>($"{record.ClusterId}/{record.NodeClaim}").NotifyInterruptionAsync(notice);
    }
}
