using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.Grains.NodePools;

/// <summary>One NodePool of one cluster: spec, validation by the same rules as <c>karpo simulate</c>, usage against limits.</summary>
public sealed class NodePoolGrain(
    [PersistentState("nodepool", StorageNames.Karpo)] IPersistentState<NodePoolState> state) : Grain, INodePoolGrain
{
    private string ClusterId => this.GetPrimaryKeyString()[..this.GetPrimaryKeyString().IndexOf('/', StringComparison.Ordinal)];

    private string Name => this.GetPrimaryKeyString()[(this.GetPrimaryKeyString().IndexOf('/', StringComparison.Ordinal) + 1)..];

    async Task<NodePoolStatus> INodePoolGrain.SetSpecAsync(string manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var s = state.State;
        s.Manifest = manifest;
        try
        {
            var loaded = ManifestLoader.LoadText($"nodepool {Name}", manifest);
            if (loaded.NodePools.Count != 1)
            {
                throw new ManifestException($"nodepool {Name}", 1, "kind", "expected exactly one karpenter.sh/v1 NodePool");
            }

            var pool = loaded.NodePools[0];
            if (pool.Name != Name)
            {
                throw new ManifestException($"nodepool {Name}", 1, "metadata.name", $"is \"{pool.Name}\", expected \"{Name}\"");
            }

            s.Valid = true;
            s.Error = null;
            s.Weight = pool.Weight;
            s.Limits = pool.Limits.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }
        catch (ManifestException ex)
        {
            s.Valid = false;
            s.Error = ex.Message;
        }

        await state.WriteStateAsync();
        PublishLimits();
        return Status();
    }

    async Task INodePoolGrain.RemoveAsync()
    {
        foreach (var metric in new[] { MetricNames.NodePoolUsage, MetricNames.NodePoolLimit })
        {
            foreach (var resource in new[] { "cpu", "memory", "nodes" })
            {
                KarpoTelemetry.Gauges.Remove(metric, Tags(resource));
            }
        }

        await state.ClearStateAsync();
    }

    Task<NodePoolStatus?> INodePoolGrain.GetAsync() =>
        Task.FromResult(state.State.Manifest is null ? null : Status());

    Task INodePoolGrain.ReportUsageAsync(NodePoolUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var previous = state.State.Usage;
        state.State.Usage = usage;
        foreach (var (resource, quantity) in usage.Resources)
        {
            KarpoTelemetry.Gauges.Set(MetricNames.NodePoolUsage, Numeric(resource, quantity), Tags(resource));
        }

        KarpoTelemetry.Gauges.Set(MetricNames.NodePoolUsage, usage.Nodes, Tags("nodes"));
        // Usage is recomputed by the cluster after every change; persisting it is only for reads after a restart.
        return previous is not null && previous.Nodes == usage.Nodes && previous.NodeClaims == usage.NodeClaims &&
               previous.Resources.Count == usage.Resources.Count && previous.Resources.All(p => usage.Resources.GetValueOrDefault(p.Key) == p.Value)
            ? Task.CompletedTask
            : state.WriteStateAsync();
    }

    private void PublishLimits()
    {
        foreach (var (resource, quantity) in state.State.Limits)
        {
            KarpoTelemetry.Gauges.Set(MetricNames.NodePoolLimit, Numeric(resource, quantity), Tags(resource));
        }
    }

    private KeyValuePair<string, object?>[] Tags(string resource) =>
        [new("cluster", ClusterId), new("nodepool", Name), new("resource_type", resource)];

    /// <summary>CPU in cores, memory in bytes, anything else as its plain number.</summary>
    private static double Numeric(string resource, string quantity)
    {
        try
        {
            var v = new k8s.Models.ResourceQuantity(quantity);
            return v.ToDouble();
        }
        catch (FormatException)
        {
            return double.NaN;
        }
    }

    private NodePoolStatus Status()
    {
        var s = state.State;
        return new NodePoolStatus(ClusterId, Name, s.Weight, s.Valid, s.Error, s.Limits,
            s.Usage?.Resources ?? new Dictionary<string, string>(), s.Usage?.Nodes ?? 0, s.Usage?.NodeClaims ?? 0);
    }
}
