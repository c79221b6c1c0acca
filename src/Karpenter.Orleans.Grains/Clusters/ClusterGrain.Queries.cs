using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Grains.Clusters;

public sealed partial class ClusterGrain
{
    Task<ClusterStatus> IClusterGrain.GetStatusAsync()
    {
        var r = Registration;
        var live = state.State.Claims.Values.Where(c => c.IsLive).ToList();
        return Task.FromResult(new ClusterStatus(ClusterId, r?.Provider ?? "", r?.Region ?? "", r?.Account ?? "",
            _pods.Values.Count(p => !p.IsDaemon), _pods.Values.Count(p => p.IsPending), _nodes.Count, live.Count,
            Math.Round(CommittedPerHour(), 6), r?.SpendCapPerHour, state.State.LastProvisionedAt, _sequence, _session is not null));
    }

    Task<IReadOnlyList<PendingPod>> IClusterGrain.GetPendingPodsAsync()
    {
        IReadOnlyList<PendingPod> list = _pods.Values.Where(p => p.IsPending)
            .OrderBy(p => p.PendingSince).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new PendingPod(p.Pod.Metadata.NamespaceProperty ?? "default", p.Pod.Metadata.Name, p.Reason,
                p.PendingSince ?? p.FirstSeen, p.NodeClaim))
            .ToList();
        return Task.FromResult(list);
    }

    Task<IReadOnlyList<NodeClaimInfo>> IClusterGrain.GetNodeClaimsForFleetAsync() => ((IClusterGrain)this).GetNodeClaimsAsync();

    Task<IReadOnlyList<NodeClaimInfo>> IClusterGrain.GetNodeClaimsAsync()
    {
        IReadOnlyList<NodeClaimInfo> list = state.State.Claims.OrderBy(c => c.Value.CreatedAt).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => InfoOf(c.Key, c.Value))
            .ToList();
        return Task.FromResult(list);
    }

    async Task<IReadOnlyList<NodePoolStatus>> IClusterGrain.GetNodePoolsAsync()
    {
        var list = new List<NodePoolStatus>();
        var blocked = NodePoolsWithoutNodeClass();
        foreach (var name in _nodePoolManifests.Keys.Union(_invalidNodePools).Order(StringComparer.Ordinal))
        {
            if (await GrainFactory.GetGrain<INodePoolGrain>($"{ClusterId}/{name}").GetAsync() is { } status)
            {
                list.Add(blocked.TryGetValue(name, out var why) ? status with { NodeClassReady = false, NodeClassError = why } : status);
            }
        }

        return list;
    }

    private void PublishGauges()
    {
        var cluster = new KeyValuePair<string, object?>("cluster", ClusterId);
        var pending = _pods.Values.Count(p => p.IsPending);
        KarpoTelemetry.Gauges.Set(MetricNames.SchedulerQueueDepth, pending, cluster);
        KarpoTelemetry.Gauges.Set(MetricNames.UnschedulablePods, _pods.Values.Count(p => p.IsPending && p.NodeClaim is null), cluster);
        KarpoTelemetry.Gauges.Set(MetricNames.ClusterCost, CommittedPerHour(), cluster, new("region", Registration?.Region ?? ""));
        if (Registration?.SpendCapPerHour is { } cap)
        {
            KarpoTelemetry.Gauges.Set(MetricNames.ClusterSpendCap, cap, cluster);
        }
        else
        {
            KarpoTelemetry.Gauges.Remove(MetricNames.ClusterSpendCap, cluster);
        }

        if (_lastAgentContact is { } contact)
        {
            KarpoTelemetry.Gauges.Set(MetricNames.AgentLag, Math.Max(0, (time.Now - contact).TotalSeconds), cluster);
        }

        KarpoTelemetry.Gauges.RemoveWhere(MetricNames.Nodes, cluster);
        foreach (var g in state.State.Claims.Values.Where(c => c.IsLive && c.NodeName is not null).GroupBy(c => (c.NodePool, c.CapacityType)))
        {
            KarpoTelemetry.Gauges.Set(MetricNames.Nodes, g.Count(), cluster, new("nodepool", g.Key.NodePool), new("capacity_type", g.Key.CapacityType ?? ""));
        }
    }

    /// <summary>Sends the fleet this cluster's capacity and NodePools their usage, when something changed.</summary>
    private void ReportCapacity(DateTimeOffset now)
    {
        if (!_reportDirty || Registration is not { } r)
        {
            return;
        }

        _reportDirty = false;
        var live = state.State.Claims.Values.Where(c => c.IsLive && c.Phase != NodeClaimPhase.Pending).ToList();
        var items = live.GroupBy(c => (c.NodePool, InstanceType: c.InstanceType ?? "", Zone: c.Zone ?? "", CapacityType: c.CapacityType ?? ""))
            .OrderBy(g => g.Key.NodePool, StringComparer.Ordinal).ThenBy(g => g.Key.InstanceType, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Zone, StringComparer.Ordinal).ThenBy(g => g.Key.CapacityType, StringComparer.Ordinal)
            .Select(g => new CapacityItem(g.Key.NodePool, g.Key.InstanceType, g.Key.Zone, g.Key.CapacityType, g.Count(),
                g.Sum(c => c.CapacityMilliCpu), g.Sum(c => c.CapacityMemory), Math.Round(g.Sum(c => c.PricePerHour), 6)))
            .ToList();
        var report = new ClusterCapacityReport(ClusterId, r.Provider, r.Region, items, _pods.Values.Count(p => !p.IsDaemon),
            _pods.Values.Count(p => p.IsPending), Math.Round(CommittedPerHour(), 6), now);
        GrainFactory.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).ReportCapacityAsync(report).Ignore();

        foreach (var pool in _nodePoolManifests.Keys)
        {
            var claims = state.State.Claims.Values.Where(c => c.IsLive && c.NodePool == pool).ToList();
            var usage = new NodePoolUsage(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["cpu"] = ResourceVector.FormatMilli(claims.Sum(c => c.CapacityMilliCpu)),
                ["memory"] = ResourceVector.FormatBytes(claims.Sum(c => c.CapacityMemory)),
            }, claims.Count(c => c.NodeName is not null), claims.Count);
            GrainFactory.GetGrain<INodePoolGrain>($"{ClusterId}/{pool}").ReportUsageAsync(usage).Ignore();
        }
    }
}
