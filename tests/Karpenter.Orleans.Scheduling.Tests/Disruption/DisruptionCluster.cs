using System.Globalization;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>
/// Builds a <see cref="DisruptionInput"/>: a catalog (s2 2 cpu $0.10, m4 4 cpu $0.18, l8 8 cpu $0.30 by
/// default, so bigger nodes are cheaper per cpu), NodePools, Karpenter-managed nodes initialized an hour
/// ago, pods bound to them and PodDisruptionBudgets. The clock is <see cref="Now"/> (a Monday, 12:00 UTC).
/// </summary>
public sealed class DisruptionCluster
{
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<string, (string Cpu, string Memory, double Price)> _types = new(StringComparer.Ordinal);
    private readonly List<ClusterNode> _nodes = [];
    private readonly List<V1Pod> _pods = [];
    private readonly List<V1PodDisruptionBudget> _pdbs = [];
    private readonly List<NodePool> _pools = [];

    public DisruptionCluster(CatalogBuilder? catalog = null)
    {
        Catalog = catalog ?? new CatalogBuilder("zone-a")
            .Type("s2", "2", "8Gi", 0.10)
            .Type("m4", "4", "16Gi", 0.18)
            .Type("l8", "8", "32Gi", 0.30);
        foreach (var t in Catalog.Build().InstanceTypes)
        {
            _types[t.Name] = ($"{t.Allocatable.MilliCpu}m", $"{t.Allocatable.Memory}", t.Offerings.Min(o => o.Price));
        }
    }

    public CatalogBuilder Catalog { get; }

    public DateTimeOffset Clock { get; set; } = Now;

    /// <summary>A NodePool named default (10% budget, WhenEmptyOrUnderutilized, consolidateAfter 0s) unless changed.</summary>
    public DisruptionCluster Pool(NodePool pool)
    {
        _pools.Add(pool);
        return this;
    }

    public DisruptionCluster Pool(NodePoolDisruption disruption, string name = "default", TimeSpan? expireAfter = null) =>
        Pool(new NodePoolBuilder(name).Build() with { Disruption = disruption, ExpireAfter = expireAfter ?? TimeSpan.FromHours(720) });

    /// <summary>A managed, initialized node of an instance type of the catalog.</summary>
    public DisruptionCluster Node(string name, string type, Func<ClusterNode, ClusterNode>? configure = null, string pool = "default", string capacityType = CapacityTypes.OnDemand, double? price = null)
    {
        var (cpu, memory, typePrice) = _types[type];
        var v1 = new NodeBuilder(name).NodePool(pool).InstanceType(type).Label(WellKnownLabels.CapacityType, capacityType).Allocatable(cpu, memory).Build();
        var node = new ClusterNode
        {
            Node = v1,
            NodeClaim = name,
            NodePool = pool,
            InstanceType = type,
            Zone = "zone-a",
            CapacityType = capacityType,
            PricePerHour = price ?? typePrice,
            CreatedAt = Clock.AddHours(-1),
            InitializedAt = Clock.AddHours(-1),
            LastPodEventAt = Clock.AddHours(-1),
        };
        _nodes.Add(configure is null ? node : configure(node));
        return this;
    }

    /// <summary>A pod bound to <paramref name="node"/> (or pending when null).</summary>
    public DisruptionCluster Pod(string name, string cpu, string? node, Func<PodBuilder, PodBuilder>? configure = null, Action<V1Pod>? edit = null)
    {
        var builder = new PodBuilder(name, cpu, "256Mi");
        if (node is not null)
        {
            builder.BoundTo(node);
        }

        var pod = (configure is null ? builder : configure(builder)).Build(Now.UtcDateTime.AddDays(-1), $"uid-{_pods.Count.ToString(CultureInfo.InvariantCulture)}");
        edit?.Invoke(pod);
        _pods.Add(pod);
        return this;
    }

    public DisruptionCluster Pdb(string name, string app, int? minAvailable = null, string? maxUnavailable = null)
    {
        _pdbs.Add(Budget(name, app, minAvailable is { } min ? (IntOrString)min : null, maxUnavailable is { } max ? (IntOrString)max : null));
        return this;
    }

    public static V1PodDisruptionBudget Budget(string name, string app, IntOrString? minAvailable, IntOrString? maxUnavailable) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1PodDisruptionBudgetSpec
        {
            MinAvailable = minAvailable,
            MaxUnavailable = maxUnavailable,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
        },
    };

    public DisruptionInput Input() => new()
    {
        Catalog = Catalog.Build(),
        NodePools = _pools.Count > 0 ? [.. _pools] : [new NodePoolBuilder("default").Build()],
        Nodes = [.. _nodes],
        Pods = [.. _pods],
        PodDisruptionBudgets = [.. _pdbs],
        Now = Clock,
    };

    public DisruptionPlan Plan(DisruptionOptions? options = null)
    {
        var input = Input();
        var plan = DisruptionPlanner.Plan(input, options);
        PlanAssert.EveryNodeAccountedFor(input, plan);
        return plan;
    }
}
