using System.Diagnostics;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Grains.Clusters;

public sealed partial class ClusterGrain
{
    private static readonly TimeSpan KeepTerminatedFor = TimeSpan.FromMinutes(10);

    /// <summary>An indexed claim whose grain has no spec this long after creation never received it (its create call was lost).</summary>
    private static readonly TimeSpan NeverCreatedAfter = TimeSpan.FromSeconds(30);

    private bool _stateDirty;
    private bool _drivenSinceActivation;
    private DateTimeOffset _lastGarbageCollection;

    Task IClusterGrain.ReconcileAsync() => ReconcileCoreAsync();

    async Task IClusterGrain.OnNodeClaimChangedAsync(NodeClaimInfo claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (!state.State.Claims.TryGetValue(claim.Name, out var entry))
        {
            return;
        }

        var notice = entry.Interruption;
        if (Apply(claim.Name, claim))
        {
            // The claim grain persisted its own state; the index, gauges and the fleet's roll-up catch up at
            // the next reconcile rather than once per claim per phase (a burst launches hundreds).
            _stateDirty = true;
        }

        if (entry.Interruption != notice && entry.IsLive)
        {
            // A notice from the cloud: the disruption controller acts now, not at the next reconcile (a spot
            // warning leaves two minutes), and the index keeps the notice across a restart.
            await OnInterruptionAsync(claim.Name, entry);
        }
    }

    /// <summary>Takes a claim's news into the index; false when it was stale (phases only move forward).</summary>
    private bool Apply(string name, NodeClaimInfo info)
    {
        if (!state.State.Claims.TryGetValue(name, out var entry) || info.Phase < entry.Phase && entry.Phase != NodeClaimPhase.Drifted)
        {
            return false;
        }

        var changed = entry.Merge(info);
        if (changed && info.Phase is NodeClaimPhase.Launched or NodeClaimPhase.Registered or NodeClaimPhase.Initialized)
        {
            var phase = info.Phase.ToString().ToLowerInvariant();
            foreach (var p in _pods.Values.Where(p => p.NodeClaim == name))
            {
                p.Reason = $"nominated to NodeClaim {name} ({phase})";
            }
        }

        if (info.Phase == NodeClaimPhase.Terminated)
        {
            // Pods waiting for this claim go back to the provisioner with the claim's reason.
            var requeued = false;
            foreach (var p in _pods.Values.Where(p => p.NodeClaim == name))
            {
                p.NodeClaim = null;
                p.Reason = $"NodeClaim {name} ended: {info.Reason}";
                requeued = true;
            }

            _podsOnNode.Remove(entry.NodeName ?? "");
            if (requeued)
            {
                TriggerBatch();
            }
        }

        _reportDirty |= changed;
        return changed;
    }

    private void StartReconcileTimer()
    {
        if (_reconcileTimer is null && Options.Timers)
        {
            _reconcileTimer = this.RegisterGrainTimer(_ => ReconcileCoreAsync(),
                new GrainTimerCreationOptions(Options.ReconcileInterval, Options.ReconcileInterval) { KeepAlive = true });
        }
    }

    private async Task ReconcileCoreAsync()
    {
        if (Registration is not { } registration)
        {
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        var now = time.Now;
        // Claims still moving (launching, awaiting registration, terminating) are driven on by their grains. The
        // first reconcile after an activation drives every live claim: the index is written lazily, so a claim
        // that was already Disrupting when the silo died can still be indexed as Registered or Initialized.
        var all = !_drivenSinceActivation;
        _drivenSinceActivation = true;
        foreach (var (name, entry) in state.State.Claims.Where(c => c.Value.Phase is NodeClaimPhase.Pending or NodeClaimPhase.Launched || c.Value.IsDisrupting || all && c.Value.IsLive).ToList())
        {
            try
            {
                var info = await GrainFactory.GetGrain<INodeClaimGrain>($"{ClusterId}/{name}").ReconcileAsync();
                if (info is not null)
                {
                    Apply(name, info);
                }
                else if (entry.Phase == NodeClaimPhase.Pending && now - entry.CreatedAt >= NeverCreatedAfter)
                {
                    // Indexed, but the claim never received its spec (the silo died in between): it
                    // never launched, so it simply ends and its pods are planned again.
                    await GrainFactory.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).ReleaseSpendAsync(ClusterId, name);
                    Apply(name, new NodeClaimInfo(ClusterId, name, entry.NodePool, new NodeClaimStatus
                    {
                        Phase = NodeClaimPhase.Terminated,
                        CreatedAt = entry.CreatedAt,
                        TerminatedAt = now,
                        Reason = "the NodeClaim was never created (interrupted before launch)",
                    }));
                    entry.PricePerHour = 0;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogWarning(ex, "Reconcile of NodeClaim {Cluster}/{NodeClaim} failed", ClusterId, name);
            }
        }

        try
        {
            // A claim that learnt its instance just now may find that instance's Node already here.
            await JoinNodesAsync(nodes: null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogWarning(ex, "Cluster {Cluster}: nodes waiting for their NodeClaims did not join; retrying at the next reconcile", ClusterId);
        }

        try
        {
            await AdvanceDisruptionAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogWarning(ex, "Cluster {Cluster}: terminations and the disruption queue did not advance; retrying at the next reconcile", ClusterId);
        }

        await DisruptAsync(now);
        if (now - _lastGarbageCollection >= Options.OrphanGracePeriod || now < _lastGarbageCollection)
        {
            _lastGarbageCollection = now;
            await CollectOrphansAsync(registration, now);
        }

        foreach (var name in state.State.Claims.Where(c => c.Value.TerminatedAt is { } t && now - t > KeepTerminatedFor).Select(c => c.Key).ToList())
        {
            // Listed for a while so users see why a claim ended, then its stored state goes too.
            try
            {
                await GrainFactory.GetGrain<INodeClaimGrain>($"{ClusterId}/{name}").ForgetAsync();
                state.State.Claims.Remove(name);
                _reportDirty = true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogWarning(ex, "Could not remove ended NodeClaim {Cluster}/{NodeClaim}; retrying at the next reconcile", ClusterId, name);
            }
        }

        // A nomination ends when its claim is initialized: kube-scheduler may still bind elsewhere or not at all,
        // and only the next run can tell, so those pods count as waiting too.
        if (_pods.Values.Any(p => p.IsPending && p.Quarantine is null && (p.NodeClaim is null || !IsUninitialized(p.NodeClaim))) && _batchFirst is null)
        {
            // Pods left waiting (capacity errors, caps, limits) are tried again each reconcile.
            TriggerBatch();
        }

        if (_reportDirty || _stateDirty)
        {
            _stateDirty = false;
            await state.WriteStateAsync();
        }

        PublishGauges();
        // Per-node and per-pod series once per reconcile, not per provisioning batch: they are the big ones.
        ClusterSeries.Publish(ClusterId, _nodes.Values, _pods.Values.Select(p => p.Pod).ToList());
        ReportCapacity(now);
        KarpoTelemetry.ReconcileDuration.Record(stopwatch.Elapsed.TotalSeconds, new KeyValuePair<string, object?>("cluster", ClusterId));
    }

    /// <summary>
    /// Karpenter's garbage collection: an instance tagged for this cluster whose NodeClaim is gone or
    /// terminated is an orphan (a crash between launch and record, or a claim deleted elsewhere) and is
    /// terminated once older than the grace period. A claim the index missed is adopted instead.
    /// </summary>
    private async Task CollectOrphansAsync(ClusterRegistration registration, DateTimeOffset now)
    {
        using var caller = CloudProviderMetrics.Caller("nodeclaim.garbagecollection");
        IReadOnlyList<CloudInstance> instances;
        try
        {
            instances = await providers.Get(registration.Provider).ListAsync(registration.Region, ClusterId);
        }
        catch (CloudProviderException ex)
        {
            logger.LogWarning("Listing instances of cluster {Cluster} failed: {Code} {Message}", ClusterId, ex.Code, ex.Message);
            return;
        }

        foreach (var instance in instances)
        {
            if (instance.State is CloudInstanceState.Terminated or CloudInstanceState.ShuttingDown ||
                state.State.Claims.TryGetValue(instance.NodeClaim, out var known) && known.IsLive && known.InstanceId == instance.Id)
            {
                continue;
            }

            var claim = GrainFactory.GetGrain<INodeClaimGrain>($"{ClusterId}/{instance.NodeClaim}");
            var info = await claim.GetAsync();
            if (info is { Phase: not NodeClaimPhase.Terminated } && (info.InstanceId is null || info.InstanceId == instance.Id))
            {
                if (!state.State.Claims.ContainsKey(info.Name))
                {
                    state.State.Claims[info.Name] = new ClaimEntry { NodePool = info.NodePool, CreatedAt = info.CreatedAt, InstanceType = instance.InstanceType };
                }

                Apply(info.Name, info.Phase == NodeClaimPhase.Pending ? (await claim.ReconcileAsync())! : info);
                continue;
            }

            if (now - instance.LaunchedAt >= Options.OrphanGracePeriod)
            {
                FaultPoints.Reach(FaultPoints.OrphanBeforeTerminate, logger);
                logger.LogWarning("Terminating orphaned instance {Instance} of cluster {Cluster} (NodeClaim {NodeClaim} is gone)", instance.Id, ClusterId, instance.NodeClaim);
                await providers.Get(registration.Provider).TerminateAsync(registration.Region, instance.Id);
                KarpoTelemetry.NodeClaimsTerminated.Add(1, new("cluster", ClusterId), new("nodepool", instance.NodePool), new("reason", "orphan"));
            }
        }
    }
}
