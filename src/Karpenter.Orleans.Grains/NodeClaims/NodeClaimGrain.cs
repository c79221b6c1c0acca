using System.Globalization;
using System.Text.Json;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Scheduling.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Grains.NodeClaims;

/// <summary>
/// One NodeClaim through its lifecycle. The launch uses the claim's key as the cloud's client token, so a
/// launch replayed after a crash (state still Pending) gets back the instance the first call made.
/// </summary>
public sealed class NodeClaimGrain(
    [PersistentState("nodeclaim", StorageNames.Karpo)] IPersistentState<NodeClaimState> state,
    ICloudProviders providers,
    IOptions<ProvisioningOptions> options,
    ServiceClock time,
    ILogger<NodeClaimGrain> logger) : Grain, INodeClaimGrain
{
    /// <summary>Tag keys the launch puts on the instance; the node joining the cluster reads its labels and taints from them.</summary>
    public const string NodeLabelsTag = "karpo.io/node-labels";
    public const string NodeTaintsTag = "karpo.io/node-taints";
    public const string ClusterTag = "karpo.io/cluster";
    public const string NodeClaimTag = "karpenter.sh/nodeclaim";
    public const string NodePoolTag = "karpenter.sh/nodepool";

    private NodeClaimState S => state.State;

    async Task<NodeClaimInfo> INodeClaimGrain.CreateAsync(NodeClaimSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (S.Spec is null)
        {
            if (spec.Options.Count == 0)
            {
                throw new ArgumentException($"NodeClaim {spec.Name}: no offering to launch", nameof(spec));
            }

            S.Spec = spec;
            S.Phase = NodeClaimPhase.Pending;
            S.CreatedAt = time.Now;
            await state.WriteStateAsync();
            FaultPoints.Reach(FaultPoints.LaunchAfterSpecStored, logger);
        }

        if (S.Phase == NodeClaimPhase.Pending)
        {
            await LaunchAsync();
        }

        return Info();
    }

    Task<NodeClaimInfo?> INodeClaimGrain.GetAsync() => Task.FromResult(S.Spec is null ? null : Info());

    async Task<NodeClaimInfo?> INodeClaimGrain.ReconcileAsync()
    {
        using var caller = CloudProviderMetrics.Caller("nodeclaim.lifecycle");
        if (S.Spec is null)
        {
            return null;
        }

        switch (S.Phase)
        {
            case NodeClaimPhase.Pending:
                // A launch cut short by a crash or a failed silo: replay it with the same client token.
                await LaunchAsync();
                break;
            case NodeClaimPhase.Launched when time.Now - S.LaunchedAt > options.Value.RegistrationTtl:
                await TerminateAsync($"node did not register within {options.Value.RegistrationTtl.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min", "registration_timeout");
                break;
            case NodeClaimPhase.Launched or NodeClaimPhase.Registered or NodeClaimPhase.Initialized or NodeClaimPhase.Drifted
                or NodeClaimPhase.Disrupting or NodeClaimPhase.Draining:
                // Disrupting and Draining are the cluster's termination flow at work; the instance is checked only.
                if (S.InstanceId is null)
                {
                    break;
                }

                var instance = await Provider.GetAsync(S.Spec.Region, S.InstanceId!);
                if (instance is null || instance.State is CloudInstanceState.Terminated or CloudInstanceState.ShuttingDown)
                {
                    await TerminateAsync("the instance was terminated outside Karpenter", "instance_terminated");
                }

                break;
            case NodeClaimPhase.Terminating:
                // The drain is over (or was never needed): finish what a cut-short DeleteAsync started.
                await TerminateAsync(S.Reason ?? "disrupted", ReasonLabel(S.Reason ?? ""));
                break;
        }

        return Info();
    }

    async Task<NodeClaimInfo> INodeClaimGrain.MarkRegisteredAsync(string nodeName)
    {
        if (S.Phase is NodeClaimPhase.Pending or NodeClaimPhase.Launched)
        {
            S.Phase = NodeClaimPhase.Registered;
            S.NodeName = nodeName;
            S.RegisteredAt = time.Now;
            await SaveAndNotifyAsync();
        }

        return Info();
    }

    async Task<NodeClaimInfo> INodeClaimGrain.MarkInitializedAsync()
    {
        if (S.Phase is NodeClaimPhase.Registered)
        {
            S.Phase = NodeClaimPhase.Initialized;
            S.InitializedAt = time.Now;
            KarpoTelemetry.NodeProvisioningDuration.Record((S.InitializedAt.Value - S.CreatedAt).TotalSeconds,
                new("cluster", S.Spec!.ClusterId), new("nodepool", S.Spec.NodePool));
            await SaveAndNotifyAsync();
        }

        return Info();
    }

    async Task<NodeClaimInfo> INodeClaimGrain.MarkDriftedAsync(string reason)
    {
        if (S.Phase is NodeClaimPhase.Registered or NodeClaimPhase.Initialized)
        {
            S.Phase = NodeClaimPhase.Drifted;
            S.Reason = reason;
            await SaveAndNotifyAsync();
        }

        return Info();
    }

    async Task<NodeClaimInfo> INodeClaimGrain.MarkDisruptionPhaseAsync(NodeClaimPhase phase, string reason)
    {
        if (phase is not (NodeClaimPhase.Disrupting or NodeClaimPhase.Draining or NodeClaimPhase.Terminating))
        {
            throw new ArgumentOutOfRangeException(nameof(phase), phase, "only Disrupting, Draining or Terminating");
        }

        if (S.Spec is not null && S.Phase < phase)
        {
            S.Phase = phase;
            S.Reason = reason;
            if (phase != NodeClaimPhase.Disrupting)
            {
                S.DeletionStartedAt ??= time.Now;
            }

            await state.WriteStateAsync();
        }

        return Info();
    }

    async Task<NodeClaimInfo> INodeClaimGrain.CancelDisruptionAsync(NodeClaimPhase phase)
    {
        if (phase is not (NodeClaimPhase.Registered or NodeClaimPhase.Initialized or NodeClaimPhase.Drifted))
        {
            throw new ArgumentOutOfRangeException(nameof(phase), phase, "only back to Registered, Initialized or Drifted");
        }

        if (S.Spec is not null && S.Phase == NodeClaimPhase.Disrupting)
        {
            S.Phase = phase;
            S.Reason = phase == NodeClaimPhase.Drifted ? S.Reason : null;
            await state.WriteStateAsync();
        }

        return Info();
    }

    async Task<NodeClaimInfo> INodeClaimGrain.DeleteAsync(string reason)
    {
        if (S.Spec is not null && S.Phase != NodeClaimPhase.Terminated)
        {
            S.Phase = NodeClaimPhase.Terminating;
            S.Reason = reason;
            // The cluster's index hears of Terminating now, so its reconcile finishes the termination even
            // when this call fails (the cloud or storage down) and the caller never sees the result.
            await SaveAndNotifyAsync();
            FaultPoints.Reach(FaultPoints.DeleteAfterDisruptingStored, logger);
            await TerminateAsync(reason, ReasonLabel(reason));
        }

        return Info();
    }

    async Task INodeClaimGrain.ForgetAsync()
    {
        if (S.Spec is null || S.Phase != NodeClaimPhase.Terminated)
        {
            return;
        }

        if (S.InstanceId is { } id)
        {
            await GrainFactory.GetGrain<IInstanceGrain>($"{S.Spec.Provider}/{S.Spec.Region}/{id}").ForgetAsync();
        }

        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    async Task<NodeClaimInfo> INodeClaimGrain.NotifyInterruptionAsync(InterruptionNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (S.Spec is null || S.Phase == NodeClaimPhase.Terminated)
        {
            return Info();
        }

        var spec = S.Spec;
        KarpoTelemetry.InterruptionMessages.Add(1, new("cluster", spec.ClusterId), new("message_type", MessageType(notice.Kind)));
        if (notice.Kind == InterruptionKind.SpotInterruption && S.CapacityType == CapacityTypes.Spot && S.InstanceType is { } type && S.Zone is { } zone)
        {
            KarpoTelemetry.SpotInterruptions.Add(1, new("cluster", spec.ClusterId), new("region", spec.Region), new("instance_type", type), new("zone", zone));
            var regionKey = $"{spec.Provider}/{spec.Region}";
            await GrainFactory.GetGrain<IInterruptionRatesGrain>(regionKey).RecordInterruptionAsync(new SpotPoolKey(type, zone), spec.ClusterId);
            // As Karpenter does: an interrupted spot offering is not offered again for a while.
            await GrainFactory.GetGrain<IOfferingsGrain>(regionKey).MarkUnavailableAsync(
                new OfferingKey(type, zone, CapacityTypes.Spot), "spot interruption", spec.ClusterId);
        }

        var hasNode = S.NodeName is not null && S.Phase is not (NodeClaimPhase.Pending or NodeClaimPhase.Launched);
        if (notice.Kind == InterruptionKind.Terminated || notice.Kind != InterruptionKind.Rebalance && !hasNode)
        {
            // The instance is gone already, or it never became a node (no pod to move): the claim ends now and
            // pods nominated to it go back to the provisioner, which avoids the interrupted offering.
            KarpoTelemetry.NodeClaimsDisrupted.Add(1, new("cluster", spec.ClusterId), new("nodepool", spec.NodePool), new("reason", "interrupted"),
                new("capacity_type", S.CapacityType ?? ""));
            S.Interruption = notice;
            S.Phase = NodeClaimPhase.Disrupting;
            S.Reason = $"interrupted: {MessageType(notice.Kind).Replace('_', ' ')}";
            await state.WriteStateAsync();
            await TerminateAsync(S.Reason, "interruption");
            return Info();
        }

        if (!MorePressing(notice, S.Interruption))
        {
            return Info();
        }

        // The cluster's disruption controller acts on it: the replacement first, then a drain paced by the
        // deadline (docs/disruption.md, "Interruption"). Persisted here and carried in the claim's info, so a
        // restart of either grain still finds it.
        S.Interruption = notice;
        await SaveAndNotifyAsync();
        logger.LogInformation("NodeClaim {Cluster}/{NodeClaim}: {Kind} notice for {Instance}, deadline {Deadline}", spec.ClusterId, spec.Name,
            notice.Kind, S.InstanceId, notice.Deadline?.ToString("O", CultureInfo.InvariantCulture) ?? "none");
        return Info();
    }

    /// <summary>True when <paramref name="notice"/> should replace <paramref name="current"/>: a deadline beats advice, an earlier deadline a later one.</summary>
    private static bool MorePressing(InterruptionNotice notice, InterruptionNotice? current)
    {
        if (current is null)
        {
            return true;
        }

        var advice = notice.Kind == InterruptionKind.Rebalance;
        var currentAdvice = current.Kind == InterruptionKind.Rebalance;
        if (advice != currentAdvice)
        {
            return !advice;
        }

        return !advice && (notice.Deadline ?? notice.At) < (current.Deadline ?? current.At);
    }

    private ICloudProvider Provider => providers.Get(S.Spec!.Provider);

    private async Task LaunchAsync()
    {
        using var caller = CloudProviderMetrics.Caller("nodeclaim.lifecycle");
        var spec = S.Spec!;
        var regionKey = $"{spec.Provider}/{spec.Region}";
        var quota = GrainFactory.GetGrain<IQuotaGrain>($"{spec.Provider}/{spec.Account}/{spec.Region}");
        var provider = Provider;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ClusterTag] = spec.ClusterId,
            [NodeClaimTag] = spec.Name,
            [NodePoolTag] = spec.NodePool,
            [NodeLabelsTag] = JsonSerializer.Serialize(spec.Labels),
            [NodeTaintsTag] = JsonSerializer.Serialize(spec.Taints),
        };
        S.LaunchAttempts++;
        var failures = new List<string>();
        // The launch's failure reason for the SLI: what stopped the last option tried.
        var failureReason = LaunchFailureReasons.Unknown;
        try
        {
            var catalog = await provider.GetInstanceTypesAsync(spec.Region);
            // Only the claim's own options: a catalog has over a thousand types, a claim a few dozen.
            var wanted = spec.Options.Select(o => o.InstanceType).ToHashSet(StringComparer.Ordinal);
            var vcpus = catalog.InstanceTypes.Where(t => wanted.Contains(t.Name))
                .ToDictionary(t => t.Name, t => (int)Math.Ceiling(t.Capacity.MilliCpu / 1000.0), StringComparer.Ordinal);
            // Options under one quota go out in one call, like one CreateFleet with several overrides; the
            // quota holds the largest of them until the launch says which type it got.
            foreach (var group in spec.Options.GroupBy(o => QuotaCodes.For(o.InstanceType, o.CapacityType)))
            {
                var need = group.Max(o => vcpus.GetValueOrDefault(o.InstanceType));
                var decision = await quota.TryReserveAsync(new QuotaRequest(HoldId(spec), group.Key, need, spec.ClusterId));
                if (!decision.Granted)
                {
                    failures.Add(decision.Reason!);
                    failureReason = LaunchFailureReasons.QuotaExceeded;
                    continue;
                }

                S.QuotaHeld = true;
                var request = new LaunchRequest(spec.Region, spec.Account, spec.ClusterId, spec.Name, spec.NodePool,
                    group.Select(o => new LaunchOffering(o.InstanceType, o.Zone, o.CapacityType, o.PricePerHour)).ToList(), tags,
                    ClientToken(spec))
                {
                    NodeClass = spec.NodeClass is { } nodeClass ? new NodeClassDocument(nodeClass.ApiVersion, nodeClass.Kind, nodeClass.Name, nodeClass.Json) : null,
                };
                var result = await provider.LaunchAsync(request);
                foreach (var failure in result.Failures)
                {
                    KarpoTelemetry.CloudProviderErrors.Add(1, new("cluster", spec.ClusterId), new("controller", CloudProviderMetrics.CurrentController),
                        new("method", "Create"), new("provider", spec.Provider), new("error", failure.Code.ToString()));
                    failureReason = failure.Code.ToString();
                    failures.Add($"{failure.Offering.InstanceType}/{failure.Offering.Zone}/{failure.Offering.CapacityType}: {failure.Code}");
                    if (failure.Code == CloudErrorCode.QuotaExceeded && result.Instance is null)
                    {
                        // The account is at its real limit, below the ledger's: every cluster of it learns so.
                        await quota.ReportExceededAsync(group.Key, HoldId(spec));
                        S.QuotaHeld = false;
                    }

                    if (failure.Code == CloudErrorCode.InsufficientCapacity)
                    {
                        await GrainFactory.GetGrain<IOfferingsGrain>(regionKey).MarkUnavailableAsync(
                            new OfferingKey(failure.Offering.InstanceType, failure.Offering.Zone, failure.Offering.CapacityType),
                            failure.Message, spec.ClusterId);
                    }
                }

                if (result.Instance is { } instance)
                {
                    FaultPoints.Reach(FaultPoints.LaunchAfterCloudCall, logger);
                    await LaunchedAsync(instance, catalog, quota, vcpus.GetValueOrDefault(instance.InstanceType));
                    return;
                }

                await quota.ReleaseAsync(HoldId(spec));
                S.QuotaHeld = false;
            }
        }
        catch (CloudProviderException ex)
        {
            KarpoTelemetry.CloudProviderErrors.Add(1, new("cluster", spec.ClusterId), new("controller", CloudProviderMetrics.CurrentController),
                new("method", "Create"), new("provider", spec.Provider), new("error", ex.Code.ToString()));
            failureReason = ex.Code.ToString();
            failures.Add($"{ex.Code}: {ex.Message}");
            logger.LogWarning("Launch of NodeClaim {Cluster}/{NodeClaim} refused by {Provider}: {Code}", spec.ClusterId, spec.Name, spec.Provider, ex.Code);
        }

        // Every option failed: like Karpenter, delete the claim; its pods go back to the provisioner,
        // which now sees the failed offerings as unavailable.
        KarpoTelemetry.ProvisioningAttempts.Add(1, new("cluster", spec.ClusterId), new("result", "failure"), new("reason", failureReason));
        await TerminateAsync("launch failed: " + string.Join("; ", failures.Take(5)), "launch_failed");
    }

    private async Task LaunchedAsync(CloudInstance instance, InstanceTypeCatalog catalog, IQuotaGrain quota, int vcpus)
    {
        var spec = S.Spec!;
        var regionKey = $"{spec.Provider}/{spec.Region}";

        // The binding comes before the claim records the instance: a replay after a crash binds again
        // (same claim), and an instance another claim holds is never taken, so ending this claim can
        // never end that claim's node.
        var holder = await GrainFactory.GetGrain<IInstanceGrain>($"{regionKey}/{instance.Id}").BindAsync(new InstanceRecord(
            instance.Id, spec.Provider, spec.Region, instance.Zone, instance.InstanceType, instance.CapacityType,
            instance.State.ToString(), spec.ClusterId, spec.Name, instance.LaunchedAt, []));
        if (holder is not null)
        {
            KarpoTelemetry.ProvisioningAttempts.Add(1, new("cluster", spec.ClusterId), new("result", "failure"), new("reason", LaunchFailureReasons.InstanceConflict));
            await TerminateAsync($"launch failed: {spec.Provider} answered with instance {instance.Id}, which NodeClaim {holder.ClusterId}/{holder.NodeClaim} already holds", "launch_failed");
            return;
        }

        FaultPoints.Reach(FaultPoints.LaunchAfterBind, logger);
        // The hold shrinks to what the instance really uses and counts as usage, in one call.
        await quota.CommitAsync(HoldId(spec), vcpus);
        var type = catalog.InstanceTypes.FirstOrDefault(t => t.Name == instance.InstanceType);
        S.Phase = NodeClaimPhase.Launched;
        S.InstanceId = instance.Id;
        S.InstanceType = instance.InstanceType;
        S.Zone = instance.Zone;
        S.CapacityType = instance.CapacityType;
        S.PricePerHour = instance.PricePerHour;
        S.CapacityMilliCpu = type?.Capacity.MilliCpu ?? 0;
        S.CapacityMemory = type?.Capacity.Memory ?? 0;
        S.LaunchedAt = time.Now;
        S.Reason = null;
        await state.WriteStateAsync();
        FaultPoints.Reach(FaultPoints.LaunchAfterLaunchedStored, logger);

        if (instance.CapacityType == CapacityTypes.Spot)
        {
            await GrainFactory.GetGrain<IInterruptionRatesGrain>(regionKey).RecordLaunchAsync(new SpotPoolKey(instance.InstanceType, instance.Zone), spec.ClusterId);
        }

        // The fleet ledger held the planned price; when the launch got another offering it holds the real one.
        if (Math.Abs(instance.PricePerHour - spec.Options[0].PricePerHour) > 1e-12)
        {
            await GrainFactory.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).TryReserveSpendAsync(spec.ClusterId, spec.Name, instance.PricePerHour);
        }
        KarpoTelemetry.ProvisioningAttempts.Add(1, new("cluster", spec.ClusterId), new("result", "success"));
        KarpoTelemetry.NodeClaimsCreated.Add(1, new("cluster", spec.ClusterId), new("nodepool", spec.NodePool),
            new("reason", "provisioning"), new("capacity_type", instance.CapacityType));
        Notify();
        logger.LogInformation("NodeClaim {Cluster}/{NodeClaim} launched {Instance} ({Type} {Zone} {CapacityType} ${Price}/h)",
            spec.ClusterId, spec.Name, instance.Id, instance.InstanceType, instance.Zone, instance.CapacityType, instance.PricePerHour);
    }

    private async Task TerminateAsync(string reason, string reasonLabel)
    {
        using var caller = CloudProviderMetrics.Caller("nodeclaim.termination");
        var spec = S.Spec!;
        S.DeletionStartedAt ??= time.Now;
        if (S.InstanceId is { } id)
        {
            await Provider.TerminateAsync(spec.Region, id);
            FaultPoints.Reach(FaultPoints.DeleteAfterCloudTerminate, logger);
        }

        if (S.QuotaHeld || S.InstanceId is not null)
        {
            await GrainFactory.GetGrain<IQuotaGrain>($"{spec.Provider}/{spec.Account}/{spec.Region}").ReleaseAsync(HoldId(spec));
            S.QuotaHeld = false;
        }

        await GrainFactory.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).ReleaseSpendAsync(spec.ClusterId, spec.Name);
        var launched = S.InstanceId is not null;
        S.Phase = NodeClaimPhase.Terminated;
        S.TerminatedAt = time.Now;
        S.Reason = reason;
        await state.WriteStateAsync();
        if (launched)
        {
            KarpoTelemetry.NodeClaimsTerminated.Add(1, new("cluster", spec.ClusterId), new("nodepool", spec.NodePool), new("reason", reasonLabel));
            KarpoTelemetry.NodeClaimsTerminationDuration.Record(Math.Max(0, (time.Now - (S.DeletionStartedAt ?? time.Now)).TotalSeconds),
                new("cluster", spec.ClusterId), new("nodepool", spec.NodePool));
        }

        Notify();
    }

    private async Task SaveAndNotifyAsync()
    {
        await state.WriteStateAsync();
        Notify();
    }

    private void Notify() =>
        GrainFactory.GetGrain<IClusterGrain>(S.Spec!.ClusterId).OnNodeClaimChangedAsync(Info()).Ignore();

    /// <summary>The quota ledger is shared by every cluster of the account: holds are keyed by cluster and claim.</summary>
    private static string HoldId(NodeClaimSpec spec) => $"{spec.ClusterId}/{spec.Name}";

    /// <summary>EC2 accepts client tokens up to 64 ASCII characters; the claim's key is unique per cluster.</summary>
    private static string ClientToken(NodeClaimSpec spec)
    {
        var token = $"{spec.ClusterId}/{spec.Name}";
        return token.Length <= 64 ? token : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
    }

    private static string ReasonLabel(string reason) =>
        reason.StartsWith("empt", StringComparison.Ordinal) ? "emptiness"
        : reason.StartsWith("orphan", StringComparison.Ordinal) ? "orphan"
        : reason.StartsWith("node deleted", StringComparison.Ordinal) ? "node_deleted"
        : reason.StartsWith("disruption:", StringComparison.Ordinal) ? "disrupted"
        : "deleted";

    private static string MessageType(InterruptionKind kind) => kind switch
    {
        InterruptionKind.SpotInterruption => "spot_interruption",
        InterruptionKind.Rebalance => "rebalance",
        InterruptionKind.ScheduledChange => "scheduled_change",
        _ => "state_change",
    };

    private NodeClaimInfo Info()
    {
        var spec = S.Spec;
        var key = this.GetPrimaryKeyString();
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return new NodeClaimInfo(spec?.ClusterId ?? key[..slash], spec?.Name ?? key[(slash + 1)..], spec?.NodePool ?? "", S)
        {
            Labels = spec?.Labels ?? new Dictionary<string, string>(StringComparer.Ordinal),
            Taints = spec?.Taints ?? [],
            RequestsMilliCpu = spec?.RequestsMilliCpu ?? 0,
            RequestsMemory = spec?.RequestsMemory ?? 0,
        };
    }
}
