using System.Globalization;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Grains.Fleet;

/// <summary>
/// The fleet's registry, capacity roll-ups and spend ledger. Reentrant so a cluster that is busy launching
/// (and asks here for spend) never deadlocks with a registration forwarded to that cluster; every
/// decision is taken between awaits, and writes are serialized.
/// </summary>
[Reentrant]
public sealed class FleetGrain(
    [PersistentState("fleet", StorageNames.Karpo)] IPersistentState<FleetState> state,
    ICloudProviders providers,
    ILogger<FleetGrain> logger) : Grain, IFleetGrain
{
    private static readonly string[] GroupKeys = ["cluster", "region", "zone", "instanceType", "capacityType", "nodePool"];
    private CoalescingWriter? _coalescing;
    private Dictionary<string, string> _byToken = new(StringComparer.Ordinal);
    private bool _reportsDirty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _byToken = state.State.Clusters.Values.ToDictionary(c => c.AgentTokenSha256, c => c.Registration.ClusterId, StringComparer.Ordinal);
        // Capacity reports arrive after every cluster change; they are written in the background, not per report.
        this.RegisterGrainTimer(FlushReportsAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)) { Interleave = true });
        PublishFleetGauges();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await FlushReportsAsync(cancellationToken);
    }

    async Task<RegisteredCluster> IFleetGrain.RegisterClusterAsync(ClusterRegistration registration, string agentTokenSha256)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentException.ThrowIfNullOrEmpty(agentTokenSha256);
        // Checked before anything is written: an unknown provider registers nothing.
        providers.Get(registration.Provider);
        var id = registration.ClusterId;
        if (state.State.Clusters.TryGetValue(id, out var previous))
        {
            _byToken.Remove(previous.AgentTokenSha256);
        }

        var entry = new RegisteredCluster(registration, agentTokenSha256, previous?.RegisteredAt ?? DateTimeOffset.UtcNow);
        state.State.Clusters[id] = entry;
        _byToken[agentTokenSha256] = id;
        await WriteAsync();
        await GrainFactory.GetGrain<IClusterGrain>(id).RegisterAsync(registration);
        logger.LogInformation("Cluster {Cluster} registered ({Provider} {Region}, account {Account})", id, registration.Provider, registration.Region, registration.Account);
        return entry;
    }

    async Task<bool> IFleetGrain.UnregisterClusterAsync(string clusterId)
    {
        if (!state.State.Clusters.Remove(clusterId, out var entry))
        {
            return false;
        }

        _byToken.Remove(entry.AgentTokenSha256);
        state.State.Reports.Remove(clusterId);
        await WriteAsync();
        await GrainFactory.GetGrain<IClusterGrain>(clusterId).UnregisterAsync();
        return true;
    }

    Task<IReadOnlyList<RegisteredCluster>> IFleetGrain.GetClustersAsync()
    {
        IReadOnlyList<RegisteredCluster> list = state.State.Clusters.Values.OrderBy(c => c.Registration.ClusterId, StringComparer.Ordinal).ToList();
        return Task.FromResult(list);
    }

    Task<string?> IFleetGrain.FindClusterByTokenAsync(string agentTokenSha256) =>
        Task.FromResult(_byToken.GetValueOrDefault(agentTokenSha256));

    Task IFleetGrain.ReportCapacityAsync(ClusterCapacityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (state.State.Clusters.ContainsKey(report.ClusterId) &&
            (!state.State.Reports.TryGetValue(report.ClusterId, out var old) || old.At <= report.At))
        {
            state.State.Reports[report.ClusterId] = report;
            _reportsDirty = true;
            PublishFleetGauges();
        }

        return Task.CompletedTask;
    }

    Task<IReadOnlyList<CapacityRow>> IFleetGrain.GetCapacityAsync(IReadOnlyList<string> groupBy)
    {
        ArgumentNullException.ThrowIfNull(groupBy);
        var keys = groupBy.Select(k => GroupKeys.FirstOrDefault(g => string.Equals(g, k, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"cannot group by \"{k}\"; use any of {string.Join(", ", GroupKeys)}", nameof(groupBy))).Distinct().ToList();
        var rows = new SortedDictionary<string, (Dictionary<string, string> Group, int Nodes, long Cpu, long Memory, double Price)>(StringComparer.Ordinal);
        foreach (var report in state.State.Reports.Values)
        {
            foreach (var item in report.Items)
            {
                var group = keys.ToDictionary(k => k, k => k switch
                {
                    "cluster" => report.ClusterId,
                    "region" => report.Region,
                    "zone" => item.Zone,
                    "instanceType" => item.InstanceType,
                    "capacityType" => item.CapacityType,
                    _ => item.NodePool,
                }, StringComparer.Ordinal);
                var key = string.Join('\u001f', keys.Select(k => group[k]));
                var row = rows.GetValueOrDefault(key, (group, 0, 0L, 0L, 0.0));
                rows[key] = (group, row.Item2 + item.Count, row.Item3 + item.MilliCpu, row.Item4 + item.Memory, row.Item5 + item.PricePerHour);
            }
        }

        IReadOnlyList<CapacityRow> result = rows.Values.Select(r => new CapacityRow(r.Group, r.Nodes, r.Cpu, r.Memory, Math.Round(r.Price, 6))).ToList();
        return Task.FromResult(result);
    }

    Task<FleetCost> IFleetGrain.GetCostAsync()
    {
        var clusters = state.State.Clusters.Values.OrderBy(c => c.Registration.ClusterId, StringComparer.Ordinal).Select(c =>
        {
            var report = state.State.Reports.GetValueOrDefault(c.Registration.ClusterId);
            return new ClusterCost(c.Registration.ClusterId, c.Registration.Region, Math.Round(report?.PricePerHour ?? 0, 6),
                c.Registration.SpendCapPerHour, report?.Items.Sum(i => i.Count) ?? 0, report?.PendingPods ?? 0);
        }).ToList();
        return Task.FromResult(new FleetCost(Math.Round(clusters.Sum(c => c.PricePerHour), 6), Math.Round(Committed(), 6), state.State.SpendCapPerHour, clusters));
    }

    async Task IFleetGrain.SetSpendCapAsync(double? pricePerHour)
    {
        if (pricePerHour is < 0 or double.NaN)
        {
            throw new ArgumentOutOfRangeException(nameof(pricePerHour), "a spend cap is a price per hour >= 0");
        }

        state.State.SpendCapPerHour = pricePerHour;
        await WriteAsync();
        PublishFleetGauges();
    }

    async Task<SpendDecision> IFleetGrain.TryReserveSpendAsync(string clusterId, string nodeClaim, double pricePerHour)
    {
        var (decision, changed) = Reserve(clusterId, nodeClaim, pricePerHour);
        if (changed)
        {
            await WriteAsync();
            PublishFleetGauges();
        }

        return decision;
    }

    async Task<IReadOnlyList<SpendDecision>> IFleetGrain.TryReserveSpendAsync(string clusterId, IReadOnlyList<SpendRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var decisions = new List<SpendDecision>(requests.Count);
        var changed = false;
        foreach (var r in requests)
        {
            var (decision, c) = Reserve(clusterId, r.NodeClaim, r.PricePerHour);
            decisions.Add(decision);
            changed |= c;
        }

        if (changed)
        {
            await WriteAsync();
            PublishFleetGauges();
        }

        return decisions;
    }

    /// <summary>Decides and records one hold in memory; the caller writes.</summary>
    private (SpendDecision Decision, bool Changed) Reserve(string clusterId, string nodeClaim, double pricePerHour)
    {
        var key = $"{clusterId}/{nodeClaim}";
        var held = state.State.Spend.GetValueOrDefault(key);
        var others = Committed() - held;
        var cap = state.State.SpendCapPerHour;
        if (cap is { } c && others + pricePerHour > c + 1e-9)
        {
            return (new SpendDecision(false, Math.Round(others, 6), cap,
                string.Create(CultureInfo.InvariantCulture, $"fleet spend cap ${c:0.####}/h reached (${others:0.####}/h committed, this NodeClaim needs ${pricePerHour:0.####}/h)")), false);
        }

        var changed = false;
        if (!state.State.Spend.TryGetValue(key, out var existing) || Math.Abs(existing - pricePerHour) > 1e-12)
        {
            state.State.Spend[key] = pricePerHour;
            changed = true;
        }

        return (new SpendDecision(true, Math.Round(others + pricePerHour, 6), cap, null), changed);
    }

    async Task IFleetGrain.ReleaseSpendAsync(string clusterId, string nodeClaim)
    {
        if (state.State.Spend.Remove($"{clusterId}/{nodeClaim}"))
        {
            await WriteAsync();
            PublishFleetGauges();
        }
    }

    private Task WriteAsync() => (_coalescing ??= new CoalescingWriter(state.WriteStateAsync)).WriteAsync();

    private double Committed() => state.State.Spend.Values.Sum();

    private async Task FlushReportsAsync(CancellationToken cancellationToken)
    {
        if (_reportsDirty)
        {
            _reportsDirty = false;
            await WriteAsync();
        }
    }

    private void PublishFleetGauges()
    {
        KarpoTelemetry.Gauges.Set(MetricNames.FleetCost, Committed());
        if (state.State.SpendCapPerHour is { } cap)
        {
            KarpoTelemetry.Gauges.Set(MetricNames.FleetSpendCap, cap);
        }
        else
        {
            KarpoTelemetry.Gauges.Remove(MetricNames.FleetSpendCap);
        }
    }
}
