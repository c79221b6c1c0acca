using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Service.Tests.Simulation;

/// <summary>
/// A stand-in cluster grain that records what the simulated agent sends and checks the protocol as the
/// real grain would: deltas continue the snapshot's sequence one by one within its session.
/// </summary>
internal sealed class RecordingClusterGrain : IClusterGrain
{
    private readonly Lock _sync = new();
    private string? _session;
    private long _last;

    public List<ClusterSnapshot> Snapshots { get; } = [];

    public List<DeltaBatch> Batches { get; } = [];

    public List<ClusterRegistration> Registrations { get; } = [];

    /// <summary>Sequence gaps or foreign sessions seen; a correct agent produces none.</summary>
    public List<string> ProtocolErrors { get; } = [];

    /// <summary>Answer the next batch with ResyncRequired without applying it.</summary>
    public bool AskResyncOnNextBatch { get; set; }

    /// <summary>Throw on the next batch (after applying it when <see cref="ApplyBeforeFailing"/>), as a lost reply would.</summary>
    public bool FailNextBatch { get; set; }

    public bool ApplyBeforeFailing { get; set; }

    public int Duplicates { get; private set; }

    public IEnumerable<ObjectDelta> AllDeltas => Batches.SelectMany(b => b.Deltas);

    public Task RegisterAsync(ClusterRegistration registration)
    {
        lock (_sync)
        {
            Registrations.Add(registration);
        }

        return Task.CompletedTask;
    }

    public Task<ClusterRegistration?> GetRegistrationAsync() => Task.FromResult(Registrations.LastOrDefault());

    public Task UnregisterAsync() => Task.CompletedTask;

    public Task<SyncResult> ResyncAsync(ClusterSnapshot snapshot)
    {
        lock (_sync)
        {
            Snapshots.Add(snapshot);
            _session = snapshot.AgentSession;
            _last = snapshot.Sequence;
            return Task.FromResult(new SyncResult(snapshot.Objects.Count, 0, false, _last, []));
        }
    }

    public Task<SyncResult> ApplyDeltasAsync(DeltaBatch batch)
    {
        lock (_sync)
        {
            if (AskResyncOnNextBatch || _session != batch.AgentSession)
            {
                AskResyncOnNextBatch = false;
                return Task.FromResult(new SyncResult(0, 0, true, _last, []));
            }

            if (FailNextBatch && !ApplyBeforeFailing)
            {
                FailNextBatch = false;
                throw new TimeoutException("simulated lost call");
            }

            var applied = 0;
            foreach (var delta in batch.Deltas)
            {
                if (delta.Sequence <= _last)
                {
                    Duplicates++;
                    continue;
                }

                if (delta.Sequence != _last + 1)
                {
                    ProtocolErrors.Add($"gap: expected {_last + 1}, got {delta.Sequence}");
                    return Task.FromResult(new SyncResult(applied, 0, true, _last, []));
                }

                _last = delta.Sequence;
                applied++;
            }

            Batches.Add(batch);
            if (FailNextBatch)
            {
                FailNextBatch = false;
                throw new TimeoutException("simulated lost reply");
            }

            return Task.FromResult(new SyncResult(applied, 0, false, _last, []));
        }
    }

    public Task<ProvisioningReport> ProvisionAsync() => throw new NotSupportedException();

    public Task ReconcileAsync() => Task.CompletedTask;

    public Task<ClusterStatus> GetStatusAsync() => throw new NotSupportedException();

    public Task<IReadOnlyList<PendingPod>> GetPendingPodsAsync() => throw new NotSupportedException();

    public Task<IReadOnlyList<NodeClaimInfo>> GetNodeClaimsAsync() => throw new NotSupportedException();

    public Task<IReadOnlyList<NodeClaimInfo>> GetNodeClaimsForFleetAsync() => throw new NotSupportedException();

    public Task<IReadOnlyList<NodePoolStatus>> GetNodePoolsAsync() => throw new NotSupportedException();

    public Task<IReadOnlyList<NodeClassManifest>> GetNodeClassesAsync() => throw new NotSupportedException();

    public Task SetSpendCapAsync(double? pricePerHour) => Task.CompletedTask;

    public Task OnNodeClaimChangedAsync(NodeClaimInfo claim) => Task.CompletedTask;

    /// <summary>Commands the next fetches return until acknowledged, as the real grain's outbox does.</summary>
    public List<ClusterCommand> Commands { get; } = [];

    public List<CommandAck> Acks { get; } = [];

    public Task<NodeClaimInfo?> DeleteNodeClaimAsync(string name, string reason) => throw new NotSupportedException();

    public Task<IReadOnlyList<ClusterCommand>> GetCommandsAsync()
    {
        lock (_sync)
        {
            return Task.FromResult<IReadOnlyList<ClusterCommand>>([.. Commands]);
        }
    }

    public Task<CommandAckResult> AcknowledgeCommandsAsync(IReadOnlyList<CommandAck> acks)
    {
        lock (_sync)
        {
            Acks.AddRange(acks);
            var applied = Commands.RemoveAll(c => acks.Any(a => a.Id == c.Id));
            return Task.FromResult(new CommandAckResult(applied, acks.Count - applied));
        }
    }

    public Task<DisruptionStatus> DisruptAsync(DisruptionRequest request) => throw new NotSupportedException();

    public Task<IReadOnlyList<DisruptionStatus>> GetDisruptionsAsync() => Task.FromResult<IReadOnlyList<DisruptionStatus>>([]);

    public Task<DisruptionExplanation> ExplainDisruptionAsync() => Task.FromResult(new DisruptionExplanation("recording", DateTimeOffset.UnixEpoch, [], 0, 0));
}
