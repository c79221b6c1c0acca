using System.Globalization;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Scheduling.Tests.TestSupport;

/// <summary>
/// Collects a catalog, NodePools, pods, nodes and DaemonSets and builds a <see cref="SchedulingInput"/>.
/// Pods get creation timestamps and UIDs in the order they were added. Without an explicit NodePool the
/// scenario adds one NodePool "default" with no requirements.
/// </summary>
public sealed class Scenario
{
    private static readonly DateTime Epoch = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly List<NodePoolBuilder> _pools = [];
    private readonly List<PodBuilder> _pods = [];
    private readonly List<NodeBuilder> _nodes = [];
    private readonly List<DaemonSetBuilder> _daemonSets = [];
    private readonly List<InFlightNodeClaim> _claims = [];
    private bool _noPools;

    public Scenario(params string[] zones) => Catalog = new CatalogBuilder(zones);

    public CatalogBuilder Catalog { get; }

    public Scenario Type(string name, string cpu, string memory, double price, Action<InstanceTypeBuilder>? configure = null)
    {
        Catalog.Type(name, cpu, memory, price, configure);
        return this;
    }

    public Scenario Pool(NodePoolBuilder pool)
    {
        _pools.Add(pool);
        return this;
    }

    /// <summary>Leaves NodePools empty so the solver uses its implicit default NodePool.</summary>
    public Scenario WithoutNodePools()
    {
        _noPools = true;
        return this;
    }

    public Scenario Pod(PodBuilder pod)
    {
        _pods.Add(pod);
        return this;
    }

    public Scenario Pods(IEnumerable<PodBuilder> pods)
    {
        _pods.AddRange(pods);
        return this;
    }

    /// <summary>Adds <paramref name="count"/> identical pods named prefix-0..N-1.</summary>
    public Scenario Replicas(int count, string prefix, Func<PodBuilder, PodBuilder>? configure = null, string cpu = "100m", string memory = "128Mi")
    {
        for (var i = 0; i < count; i++)
        {
            var p = new PodBuilder($"{prefix}-{i}", cpu, memory);
            _pods.Add(configure is null ? p : configure(p));
        }

        return this;
    }

    public Scenario Node(NodeBuilder node)
    {
        _nodes.Add(node);
        return this;
    }

    /// <summary>Adds a NodeClaim in flight (launching, or joined and not initialized).</summary>
    public Scenario NodeClaim(InFlightNodeClaim claim)
    {
        _claims.Add(claim);
        return this;
    }

    public Scenario DaemonSet(DaemonSetBuilder daemonSet)
    {
        _daemonSets.Add(daemonSet);
        return this;
    }

    public SchedulingInput Input() => new()
    {
        Catalog = Catalog.Build(),
        NodePools = _noPools ? [] : _pools.Count == 0 ? [new NodePoolBuilder("default").Build()] : [.. _pools.Select(p => p.Build())],
        Pods = [.. _pods.Select((p, i) => p.Build(Epoch.AddSeconds(i), Uid(i)))],
        Nodes = [.. _nodes.Select(n => n.Build())],
        NodeClaims = [.. _claims],
        DaemonSets = [.. _daemonSets.Select(d => d.Build())],
    };

    public Outcome Solve(SolverOptions? options = null)
    {
        var input = Input();
        return new Outcome(input, ProvisioningSolver.Solve(input, options));
    }

    private static string Uid(int i) => $"00000000-0000-0000-0000-{i.ToString("D12", CultureInfo.InvariantCulture)}";
}

/// <summary>A solve result with lookups by pod key ("namespace/name").</summary>
public sealed class Outcome
{
    public Outcome(SchedulingInput input, SchedulingResult result)
    {
        Input = input;
        Result = result;
    }

    public SchedulingInput Input { get; }

    public SchedulingResult Result { get; }

    public IReadOnlyList<PlannedNodeClaim> Claims => Result.NodeClaims;

    public static string Key(string pod) => pod.Contains('/', StringComparison.Ordinal) ? pod : $"default/{pod}";

    public PlannedNodeClaim? ClaimOf(string pod) => Claims.SingleOrDefault(c => c.Pods.Contains(Key(pod)));

    public string? ExistingNodeOf(string pod) => Result.ExistingNodes.SingleOrDefault(n => n.Pods.Contains(Key(pod)))?.Name;

    /// <summary>The in-flight NodeClaim the pod was newly placed on, or null.</summary>
    public string? InFlightClaimOf(string pod) => Result.NodeClaimPlacements.SingleOrDefault(n => n.Pods.Contains(Key(pod)))?.NodeClaim;

    /// <summary>The claim name, existing node name or in-flight claim name the pod was placed on, or null.</summary>
    public string? PlacementOf(string pod) => ClaimOf(pod)?.Name ?? ExistingNodeOf(pod) ?? InFlightClaimOf(pod);

    public bool IsPlaced(string pod) => PlacementOf(pod) is not null;

    public string? ReasonFor(string pod) => Result.Unschedulable.SingleOrDefault(u => u.Pod == Key(pod))?.Reason;

    /// <summary>The zone of the claim or existing node the pod landed on.</summary>
    public string? ZoneOf(string pod)
    {
        if (ClaimOf(pod) is { } claim)
        {
            return claim.Zone;
        }

        var node = ExistingNodeOf(pod);
        return node is null ? null : NodeLabel(node, WellKnownLabels.Zone);
    }

    public string? NodeLabel(string node, string key) =>
        Input.Nodes.Single(n => n.Metadata.Name == node).Metadata.Labels.TryGetValue(key, out var v) ? v : null;

    /// <summary>Pods placed on claims and existing nodes, keyed by where they went.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> PodsByPlacement() =>
        Claims.Select(c => (c.Name, c.Pods))
            .Concat(Result.ExistingNodes.Select(n => (n.Name, n.Pods)))
            .ToDictionary(x => x.Name, x => x.Pods);

    /// <summary>Sorted counts of the given pods per zone, e.g. [1, 1, 2].</summary>
    public int[] ZoneCounts(IEnumerable<string> pods) =>
        [.. pods.Select(ZoneOf).Where(z => z is not null).GroupBy(z => z).Select(g => g.Count()).Order()];

    /// <summary>Fails unless every listed pod was placed.</summary>
    public void AssertPlaced(params string[] pods)
    {
        foreach (var p in pods)
        {
            Assert.True(IsPlaced(p), $"expected {Key(p)} to be placed, but it is unschedulable: {ReasonFor(p) ?? "(missing from result)"}");
        }
    }

    /// <summary>Fails unless the pod is unschedulable with a reason mentioning one of <paramref name="anyOf"/> (case-insensitive).</summary>
    public string AssertUnschedulable(string pod, params string[] anyOf)
    {
        var reason = ReasonFor(pod);
        Assert.False(IsPlaced(pod), $"expected {Key(pod)} to be unschedulable, but it was placed on {PlacementOf(pod)}");
        Assert.False(string.IsNullOrWhiteSpace(reason), $"{Key(pod)} should carry a reason");
        if (anyOf.Length > 0)
        {
            Assert.True(
                anyOf.Any(w => reason!.Contains(w, StringComparison.OrdinalIgnoreCase)),
                $"reason for {Key(pod)} should mention one of [{string.Join(", ", anyOf)}], was: {reason}");
        }

        return reason!;
    }

    /// <summary>A canonical text of the whole result (for determinism checks), without solve time.</summary>
    public static string Canonical(SchedulingResult r)
    {
        var lines = new List<string>();
        foreach (var c in r.NodeClaims)
        {
            lines.Add(string.Join(
                "|",
                "claim", c.Name, c.NodePool, c.InstanceType, c.Zone, c.CapacityType, c.PricePerHour.ToString("R", CultureInfo.InvariantCulture),
                string.Join(",", c.InstanceTypeOptions), string.Join(",", c.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")),
                string.Join(",", c.Taints.Select(t => $"{t.Key}={t.Value}:{t.Effect}")), c.Requests.ToString(), string.Join(",", c.Pods), c.MinValuesRelaxed.ToString()));
        }

        lines.AddRange(r.ExistingNodes.Select(n => $"node|{n.Name}|{string.Join(",", n.Pods)}"));
        lines.AddRange(r.NodeClaimPlacements.Select(n => $"in-flight|{n.NodeClaim}|{string.Join(",", n.Pods)}"));
        lines.AddRange(r.Unschedulable.Select(u => $"unschedulable|{u.Pod}|{u.Reason}"));
        var s = r.Summary;
        lines.Add(string.Join("|", "summary", s.Pods, s.Scheduled, s.Unschedulable, s.NodeClaims, s.PricePerHour.ToString("R", CultureInfo.InvariantCulture)));
        return string.Join("\n", lines);
    }
}
