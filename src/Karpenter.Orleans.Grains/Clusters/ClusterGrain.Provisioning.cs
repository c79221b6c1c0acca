using Microsoft.Extensions.Logging;
using System.Diagnostics;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Grains.Clusters;

public sealed partial class ClusterGrain
{
    // The taints of claims in flight, structured: taken from the plan when a claim is created, or read
    // once from the index's text form (state written before this kept only that) on first use.
    private readonly Dictionary<string, IReadOnlyList<V1Taint>> _claimTaints = new(StringComparer.Ordinal);

    private const string ClaimAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    Task<ProvisioningReport> IClusterGrain.ProvisionAsync()
    {
        _batchFirst = null;
        _batchLast = null;
        return ProvisionCoreAsync(awaitLaunches: true);
    }

    private void TriggerBatch()
    {
        var now = time.Now;
        _batchFirst ??= now;
        _batchLast = now;
        ScheduleBatch(now);
    }

    private void ScheduleBatch(DateTimeOffset now)
    {
        if (!Options.Timers || _batchFirst is not { } first || _batchLast is not { } last || Registration is null)
        {
            return;
        }

        var closeAt = Min(last + Options.BatchIdleDuration, first + Options.BatchMaxDuration);
        var due = closeAt - now;
        due = due < TimeSpan.Zero ? TimeSpan.Zero : due;
        if (_batchTimer is null)
        {
            _batchTimer = this.RegisterGrainTimer(OnBatchTimerAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan));
        }
        else
        {
            _batchTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task OnBatchTimerAsync(CancellationToken cancellationToken)
    {
        if (_batchFirst is not { } first || _batchLast is not { } last)
        {
            return;
        }

        var now = time.Now;
        if (now >= last + Options.BatchIdleDuration || now >= first + Options.BatchMaxDuration)
        {
            _batchFirst = null;
            _batchLast = null;
            await ProvisionCoreAsync(awaitLaunches: false);
        }
        else
        {
            ScheduleBatch(now);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>One provisioning run. <paramref name="awaitLaunches"/>: return after the launches (the explicit API) or right after creating the claims (the batch timer).</summary>
    private async Task<ProvisioningReport> ProvisionCoreAsync(bool awaitLaunches)
    {
        var registration = Registration;
        // Quarantined pods made earlier runs fail: they stay out until they change.
        // A nomination holds until the claim's node is initialized; after that kube-scheduler decides.
        var pending = _pods.Values.Where(p => p.IsPending && p.Quarantine is null && (p.NodeClaim is null || !IsUninitialized(p.NodeClaim))).ToList();
        foreach (var p in _pods.Values.Where(p => p.NodeClaim is not null && !IsUninitialized(p.NodeClaim)))
        {
            p.NodeClaim = null;
        }

        if (registration is null || pending.Count == 0)
        {
            return new ProvisioningReport(pending.Count, 0, 0, 0, 0, 0);
        }

        using var activity = KarpoTelemetry.Activities.StartActivity("provision");
        activity?.SetTag("cluster", ClusterId);
        activity?.SetTag("pending_pods", pending.Count);
        if (_nodePools.Count == 0)
        {
            foreach (var p in pending)
            {
                p.Reason = "no NodePool in this cluster: create a karpenter.sh/v1 NodePool";
            }

            PublishGauges();
            return new ProvisioningReport(pending.Count, 0, 0, pending.Count, 0, 0);
        }

        // Like Karpenter's NodePools whose NodeClassReady is false: left out of the solve, so their pods may still
        // fit another NodePool; what stays unplaced says which NodePools could not launch and why.
        var blocked = NodePoolsWithoutNodeClass();
        if (blocked.Count == _nodePools.Count)
        {
            var why = string.Join("; ", blocked.Values);
            foreach (var p in pending)
            {
                p.Reason = why;
            }

            PublishGauges();
            return new ProvisioningReport(pending.Count, 0, 0, pending.Count, 0, 0);
        }

        var catalog = await RegionCatalogAsync(registration);
        var types = catalog.InstanceTypes.ToDictionary(t => t.Name, StringComparer.Ordinal);

        // In-flight claims are capacity on its way: the solver counts them and the pods nominated to them,
        // so this run neither plans those pods again nor ignores their topology.
        var nodes = _nodes.Values.Where(n => !Cordoned(n)).ToList();
        var claims = InFlightClaims(nodes, types);
        var nominations = claims.SelectMany(c => c.NominatedPods).ToHashSet(StringComparer.Ordinal);
        var stopwatch = Stopwatch.StartNew();
        var input = new SchedulingInput
        {
            Catalog = catalog,
            NodePools = _nodePools.Values.Where(p => !blocked.ContainsKey(p.Name)).OrderBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => WithNodeClass(registration, p)).ToList(),
            // A pod nominated to a claim that is not in flight any more (its node left, or was cordoned) sits
            // this run out, as before: it is neither placed again nor counted anywhere.
            Pods = _pods.Values.Where(p => p.Quarantine is null && (p.IsBound || (p.NodeClaim is null ? p.IsPending : nominations.Contains(p.Key))))
                .Select(p => p.Pod).ToList(),
            Nodes = nodes,
            NodeClaims = claims,
            DaemonSets = _daemonSets.Values.ToList(),
            PodDisruptionBudgets = _pdbs.Values.ToList(),
        };
        // The solve is CPU-bound; run it off the grain's turn so the silo's scheduler stays responsive.
        // A pod the solver fails on is isolated and left out, so the rest of the cluster still provisions.
        var solved = await solveGate.RunAsync(() => IsolatingSolver.Solve(input, SolverOptions.Default, solver.Solve));

        var solveSeconds = stopwatch.Elapsed.TotalSeconds;
        KarpoTelemetry.SchedulingDuration.Record(solveSeconds, new KeyValuePair<string, object?>("cluster", ClusterId));
        foreach (var q in solved.Quarantined)
        {
            Quarantine(q);
        }

        if (solved.Result is not { } result)
        {
            // Not one pod's fault (nodes, DaemonSets or a combination of pods): report and try again next batch.
            var failure = IsolatingSolver.Describe(solved.Failure!);
            logger.LogError(solved.Failure, "Cluster {Cluster}: provisioning failed and no single pod is to blame; retrying at the next batch", ClusterId);
            foreach (var p in pending.Where(p => p.Quarantine is null))
            {
                p.Reason = $"provisioning failed: {failure}; retrying at the next batch";
            }

            PublishGauges();
            return new ProvisioningReport(pending.Count, 0, 0, pending.Count, 0, solveSeconds);
        }

        foreach (var u in result.Unschedulable)
        {
            if (_pods.TryGetValue(u.Pod, out var p))
            {
                p.Reason = blocked.Count == 0 ? u.Reason : $"{u.Reason}; {string.Join("; ", blocked.Values)}";
            }
        }

        foreach (var placement in result.ExistingNodes)
        {
            foreach (var podKey in placement.Pods)
            {
                if (_pods.TryGetValue(podKey, out var p))
                {
                    p.NodeClaim = null;
                    p.Reason = $"fits on node {placement.Name}; waiting for kube-scheduler to bind it";
                }
            }
        }

        foreach (var placement in result.NodeClaimPlacements)
        {
            // An initialized claim is in the input only to lend its node the claim's room: kube-scheduler binds there.
            var entry = state.State.Claims[placement.NodeClaim];
            var nominate = IsUninitialized(placement.NodeClaim);
            foreach (var podKey in placement.Pods)
            {
                if (_pods.TryGetValue(podKey, out var p))
                {
                    p.NodeClaim = nominate ? placement.NodeClaim : null;
                    p.Reason = nominate
                        ? $"nominated to NodeClaim {placement.NodeClaim} ({entry.Phase.ToString().ToLowerInvariant()})"
                        : $"fits on node {entry.NodeName}; waiting for kube-scheduler to bind it";
                }
            }
        }

        var created = await CreateClaimsAsync(registration, result.NodeClaims, types, awaitLaunches);
        state.State.LastProvisionedAt = time.Now;
        await state.WriteStateAsync();
        PublishGauges();
        ReportCapacity(time.Now);
        var scheduled = result.Summary.Scheduled;
        logger.LogDebug("Cluster {Cluster}: {Pending} pending, {Claims} NodeClaims created in {Seconds:0.000}s", ClusterId, pending.Count, created.Count, solveSeconds);
        return new ProvisioningReport(pending.Count, scheduled, created.Count, result.Unschedulable.Count + solved.Quarantined.Count(q => pending.Any(p => p.Key == q.Pod)),
            Math.Round(created.Sum(c => c.PricePerHour), 6), solveSeconds);
    }

    /// <summary>
    /// Leaves a pod the solver fails on out of provisioning until it changes: listed as pending with the
    /// reason, logged and counted once, not retried every batch.
    /// </summary>
    private void Quarantine(QuarantinedPod q)
    {
        if (!_pods.TryGetValue(q.Pod, out var p))
        {
            return;
        }

        p.Quarantine = $"quarantined: provisioning fails with this pod ({q.Error}); it is left out of provisioning until the pod changes";
        p.QuarantinedAs = KubernetesJson.Serialize(p.Pod);
        p.Reason = p.Quarantine;
        p.NodeClaim = null;
        _reportDirty = true;
        KarpoTelemetry.PodsQuarantined.Add(1, new KeyValuePair<string, object?>("cluster", ClusterId));
        logger.LogWarning("Cluster {Cluster}: pod {Pod} quarantined, provisioning fails with it ({Error}); the rest of the cluster provisions without it until the pod changes",
            ClusterId, q.Pod, q.Error);
    }

    private async Task<List<NodeClaimInfo>> CreateClaimsAsync(ClusterRegistration registration, IReadOnlyList<PlannedNodeClaim> planned, Dictionary<string, InstanceType> types, bool awaitLaunches)
    {
        var fleet = GrainFactory.GetGrain<IFleetGrain>(IFleetGrain.FleetKey);
        var cap = Registration!.SpendCapPerHour;

        // Every path that creates claims (provisioning, the disruption queue's replacements) comes through here:
        // a NodePool without its node class never gets one, so nothing launches without the node class it names.
        var blocked = NodePoolsWithoutNodeClass();
        foreach (var plan in planned.Where(p => blocked.ContainsKey(p.NodePool)))
        {
            Hold(plan, blocked[plan.NodePool], spendCap: false);
        }

        planned = blocked.Count == 0 ? planned : [.. planned.Where(p => !blocked.ContainsKey(p.NodePool))];

        // The cluster's own cap first, claim by claim in the solver's order.
        var admission = SpendCap.Admit(planned, CommittedPerHour(), cap);
        foreach (var held in admission.Held)
        {
            Hold(held.NodeClaim, held.Reason, spendCap: true);
        }

        var admitted = new List<(string Name, PlannedNodeClaim Plan)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var plan in admission.Admitted)
        {
            var name = NextClaimName(plan.NodePool, names);
            names.Add(name);
            admitted.Add((name, plan));
        }

        if (admitted.Count == 0)
        {
            return [];
        }

        // Then the fleet's cap, for the whole run in one call.
        IReadOnlyList<SpendDecision> decisions;
        try
        {
            decisions = await fleet.TryReserveSpendAsync(ClusterId, admitted.Select(a => new SpendRequest(a.Name, a.Plan.PricePerHour)).ToList());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The fleet may have taken the reservations before failing (its storage is down, the call timed
            // out): these names are never used, so take them back, or they would count against the cap forever.
            foreach (var (name, _) in admitted)
            {
                await fleet.ReleaseSpendAsync(ClusterId, name);
            }

            throw;
        }

        var specs = new List<NodeClaimSpec>();
        for (var i = 0; i < admitted.Count; i++)
        {
            var (name, plan) = admitted[i];
            var decision = decisions[i];
            if (!decision.Granted)
            {
                Hold(plan, decision.Reason!, spendCap: true);
                continue;
            }

            // Under a cap, a launch may not fall back to a dearer offering than the one the cap admitted.
            var ceiling = SpendCap.LaunchCeiling(plan, capped: cap is not null || decision.SpendCapPerHour is not null);
            var launchOptions = LaunchOfferings.For(plan, types, ceiling, Options.MaxLaunchOfferings)
                .Select(o => new OfferingOption(o.InstanceType, o.Zone, o.CapacityType, o.PricePerHour)).ToList();
            if (launchOptions.Count == 0)
            {
                await fleet.ReleaseSpendAsync(ClusterId, name);
                Hold(plan, "no offering of the planned instance types is available any more", spendCap: false);
                continue;
            }

            var spec = new NodeClaimSpec(ClusterId, name, plan.NodePool, registration.Provider, registration.Region, registration.Account,
                launchOptions, plan.Labels.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
                plan.Taints.Select(TaintText.Format).ToList(), plan.Requests.MilliCpu, plan.Requests.Memory, plan.Pods)
            {
                NodeClass = LaunchNodeClass(plan.NodePool),
            };
            var type = types[plan.InstanceType];
            state.State.Claims[name] = new ClaimEntry
            {
                NodePool = plan.NodePool,
                Phase = NodeClaimPhase.Pending,
                InstanceType = plan.InstanceType,
                Zone = plan.Zone,
                CapacityType = plan.CapacityType,
                PricePerHour = plan.PricePerHour,
                CapacityMilliCpu = type.Capacity.MilliCpu,
                CapacityMemory = type.Capacity.Memory,
                CreatedAt = time.Now,
                Labels = spec.Labels.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
                Taints = [.. spec.Taints],
                Pods = [.. plan.Pods],
                TemplateHash = _nodePools.TryGetValue(plan.NodePool, out var pool) ? NodePoolHash.Of(pool) : null,
            };
            _claimTaints[name] = plan.Taints;
            foreach (var podKey in plan.Pods)
            {
                if (_pods.TryGetValue(podKey, out var p))
                {
                    p.NodeClaim = name;
                    p.Reason = $"nominated to NodeClaim {name} (launching)";
                }
            }

            specs.Add(spec);
        }

        if (specs.Count == 0)
        {
            return [];
        }

        // The index is written before any launch, so a crash mid-launch leaves claims the next
        // reconcile drives on (their launches replay with the same client token).
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Storage is down: these claims were never recorded, so nothing would ever release their
            // fleet reservations. Take them back; the pods wait for the next batch.
            foreach (var spec in specs)
            {
                state.State.Claims.Remove(spec.Name);
                _claimTaints.Remove(spec.Name);
                await fleet.ReleaseSpendAsync(ClusterId, spec.Name);
            }

            foreach (var p in _pods.Values.Where(p => p.NodeClaim is { } c && specs.Any(s => s.Name == c)))
            {
                p.NodeClaim = null;
                p.Reason = "waiting for the next provisioning batch (storage unavailable)";
            }

            throw;
        }

        FaultPoints.Reach(FaultPoints.ProvisionAfterIndexStored, logger);
        if (!awaitLaunches)
        {
            // Like Karpenter's provisioner, create the claims and let their lifecycle launch them: the
            // cluster's turn ends now (the agent's next changes are not kept waiting), and each claim
            // reports Launched or Terminated back through OnNodeClaimChangedAsync.
            foreach (var spec in specs)
            {
                GrainFactory.GetGrain<INodeClaimGrain>($"{ClusterId}/{spec.Name}").CreateAsync(spec).Ignore();
            }

            return specs.Select(s => new NodeClaimInfo(ClusterId, s.Name, s.NodePool, new NodeClaimStatus
            {
                Phase = NodeClaimPhase.Pending,
                PricePerHour = s.Options[0].PricePerHour,
                CreatedAt = time.Now,
            })
            {
                Labels = s.Labels,
                Taints = s.Taints,
                RequestsMilliCpu = s.RequestsMilliCpu,
                RequestsMemory = s.RequestsMemory,
            }).ToList();
        }

        var infos = await Task.WhenAll(specs.Select(async Task<NodeClaimInfo?> (spec) =>
        {
            try
            {
                return await GrainFactory.GetGrain<INodeClaimGrain>($"{ClusterId}/{spec.Name}").CreateAsync(spec);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogWarning(ex, "NodeClaim {Cluster}/{NodeClaim} did not answer its launch; the next reconcile drives it on", ClusterId, spec.Name);
                return null;
            }
        }));
        foreach (var info in infos)
        {
            if (info is not null)
            {
                Apply(info.Name, info);
            }
        }

        return infos.Where(i => i is not null && i.Phase != NodeClaimPhase.Terminated).Select(i => i!).ToList();
    }

    private void Hold(PlannedNodeClaim plan, string reason, bool spendCap)
    {
        if (spendCap)
        {
            KarpoTelemetry.SpendCapBlocked.Add(plan.Pods.Count, new KeyValuePair<string, object?>("cluster", ClusterId));
        }

        foreach (var podKey in plan.Pods)
        {
            if (_pods.TryGetValue(podKey, out var p))
            {
                p.Reason = reason;
                p.NodeClaim = null;
            }
        }
    }

    private string NextClaimName(string nodePool, HashSet<string> taken)
    {
        Span<char> suffix = stackalloc char[5];
        while (true)
        {
            for (var i = 0; i < suffix.Length; i++)
            {
                suffix[i] = ClaimAlphabet[Random.Shared.Next(ClaimAlphabet.Length)];
            }

            var name = $"{nodePool}-{suffix}";
            if (!state.State.Claims.ContainsKey(name) && !taken.Contains(name))
            {
                return name;
            }
        }
    }

    /// <summary>Marks live claims of a changed NodePool drifted when its template or requirements no longer match them.</summary>
    private async Task DetectDriftAsync(NodePool pool)
    {
        foreach (var (name, entry) in state.State.Claims.Where(c => c.Value.NodePool == pool.Name &&
                     c.Value.Phase is NodeClaimPhase.Registered or NodeClaimPhase.Initialized).ToList())
        {
            if (Drift.Of(pool, entry.TemplateHash, entry.Labels) is { } reason)
            {
                Apply(name, await GrainFactory.GetGrain<INodeClaimGrain>($"{ClusterId}/{name}").MarkDriftedAsync(reason));
            }
        }
    }

    /// <summary>The region's catalog as the fleet knows it now: offerings that recently ran out of capacity, and spot pools interrupted too often, unavailable.</summary>
    private async Task<InstanceTypeCatalog> RegionCatalogAsync(ClusterRegistration registration)
    {
        var regionKey = $"{registration.Provider}/{registration.Region}";
        var availability = await GrainFactory.GetGrain<IOfferingsGrain>(regionKey).GetAvailabilityAsync();
        var rates = await GrainFactory.GetGrain<IInterruptionRatesGrain>(regionKey).GetRatesAsync();
        var avoided = rates.Where(r => r.InterruptionRate >= Options.SpotInterruptionRateThreshold)
            .Select(r => $"{r.InstanceType}/{r.Zone}").ToHashSet(StringComparer.Ordinal);
        return await catalogs.GetAsync(registration.Provider, registration.Region, availability, avoided);
    }

    /// <summary>Live and not initialized yet: launching, or joined without its resources registered.</summary>
    private bool IsUninitialized(string claim) =>
        state.State.Claims.TryGetValue(claim, out var e) && e.Phase is NodeClaimPhase.Pending or NodeClaimPhase.Launched or NodeClaimPhase.Registered;

    /// <summary>
    /// The claims the solver counts as capacity on its way, with the pods nominated to them: claims still
    /// launching, and claims whose node joined but is not initialized (the node's pods count, and while the
    /// kubelet reports no allocatable the claim's type stands in for it, as Karpenter does). A joined node
    /// of an initialized claim that reports no allocatable is lent its claim's type the same way.
    /// </summary>
    private List<InFlightNodeClaim> InFlightClaims(List<V1Node> schedulable, Dictionary<string, InstanceType> types)
    {
        var nodes = schedulable.ToDictionary(n => n.Metadata?.Name ?? "", StringComparer.Ordinal);
        var nominated = _pods.Values.Where(p => p.NodeClaim is not null && !p.IsBound && p.Quarantine is null)
            .GroupBy(p => p.NodeClaim!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Key).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var claims = new List<InFlightNodeClaim>();
        foreach (var (name, entry) in state.State.Claims.Where(c => c.Value.IsLive).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            types.TryGetValue(entry.InstanceType ?? "", out var type);
            var uninitialized = IsUninitialized(name);
            if (entry.InFlight)
            {
                if (type is null)
                {
                    // Its type left the catalog: nothing says how much room it brings.
                    continue;
                }

                claims.Add(new InFlightNodeClaim
                {
                    Name = name,
                    NodePool = entry.NodePool,
                    InstanceType = entry.InstanceType ?? "",
                    Zone = entry.Zone,
                    CapacityType = entry.CapacityType,
                    Labels = entry.Labels,
                    Taints = TaintsOf(name, entry),
                    NominatedPods = nominated.GetValueOrDefault(name) ?? [],
                });
            }
            else if (entry.NodeName is { } nodeName && nodes.TryGetValue(nodeName, out var node) && (uninitialized || !HasAllocatable(node)))
            {
                claims.Add(new InFlightNodeClaim
                {
                    Name = name,
                    NodePool = entry.NodePool,
                    InstanceType = entry.InstanceType ?? "",
                    NodeName = nodeName,
                    NominatedPods = uninitialized ? nominated.GetValueOrDefault(name) ?? [] : [],
                    // Without its type, a node that reports nothing has no room, as before it joined.
                    Allocatable = type is null ? ResourceVector.Zero : null,
                    Capacity = type is null ? ResourceVector.Zero : null,
                });
            }
        }

        foreach (var gone in _claimTaints.Keys.Where(k => !state.State.Claims.TryGetValue(k, out var e) || !e.InFlight).ToList())
        {
            _claimTaints.Remove(gone);
        }

        return claims;
    }

    /// <summary>A claim's taints, read from the index's text form once per activation; an entry that does not read is skipped and logged.</summary>
    private IReadOnlyList<V1Taint> TaintsOf(string claim, ClaimEntry entry)
    {
        if (_claimTaints.TryGetValue(claim, out var taints))
        {
            return taints;
        }

        var parsed = new List<V1Taint>(entry.Taints.Count);
        foreach (var text in entry.Taints)
        {
            if (TaintText.TryParse(text, out var taint))
            {
                parsed.Add(taint);
            }
            else
            {
                logger.LogWarning("Cluster {Cluster}: NodeClaim {NodeClaim} has a stored taint \"{Taint}\" that does not read as key=value:Effect; it is left out", ClusterId, claim, text);
            }
        }

        _claimTaints[claim] = parsed;
        return parsed;
    }

    private double CommittedPerHour() => state.State.Claims.Values.Where(c => c.IsLive).Sum(c => c.PricePerHour);

    private bool Cordoned(V1Node node)
    {
        if (node.Spec?.Unschedulable == true || node.Metadata?.DeletionTimestamp is not null)
        {
            return true;
        }

        var claim = state.State.Claims.Values.FirstOrDefault(c => c.NodeName == node.Metadata?.Name);
        return claim is { IsDisrupting: true } or { Phase: NodeClaimPhase.Terminated };
    }
}
