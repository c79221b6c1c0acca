using System.Globalization;
using CsCheck;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>
/// A generated cluster with every kind of constraint a consolidation must keep: two zones, two NodePools (one
/// tainted and labelled for batch pods), cpu, memory and pod-count limits, an optional DaemonSet on every node,
/// and pods that are plain, under a PodDisruptionBudget (web), hostname anti-affine (anti), holding host port
/// 8080 (port), batch pods that tolerate the taint and select the batch pool, and pods under a zone spread of
/// maxSkew 1 (spread). The starting placement is valid: pods that would break a rule are left out.
/// </summary>
public sealed record GenConstrainedCluster(int[] PricesCents, GenConstrainedCluster.Node[] Nodes, int PdbMaxUnavailable, bool Daemon, int Budget)
{
    public const string BatchLabel = "workload";
    public const string BatchTaint = "dedicated";
    public const int HostPort = 8080;
    public static readonly string[] Zones = ["zone-a", "zone-b"];
    public static readonly string[] TypeNames = ["s2", "m4", "l8"];
    public static readonly int[] TypeCpu = [2000, 4000, 8000];
    public static readonly int[] TypeMemoryMi = [8192, 16384, 32768];
    public static readonly int[] TypePods = [5, 8, 12];
    public static readonly (int MilliCpu, int MemoryMi) DaemonRequests = (100, 256);

    public static readonly Gen<GenConstrainedCluster> Gen =
        CsCheck.Gen.Select(
            CsCheck.Gen.Int[5, 12], CsCheck.Gen.Int[13, 24], CsCheck.Gen.Int[20, 45],
            CsCheck.Gen.Select(
                CsCheck.Gen.Int[0, 2], CsCheck.Gen.Int[0, 1], CsCheck.Gen.Int[0, 3],
                CsCheck.Gen.Select(CsCheck.Gen.OneOf(100, 250, 500, 1000, 1500), CsCheck.Gen.OneOf(512, 1024, 3072, 6144), CsCheck.Gen.Int[0, 5], (c, m, r) => new Pod(c, m, (Role)r)).Array[0, 6],
                (t, z, tainted, pods) => new Node(t, z, tainted == 0, pods)).Array[1, 7],
            CsCheck.Gen.Int[-1, 2],
            CsCheck.Gen.Bool,
            CsCheck.Gen.Int[0, 2],
            (s, m, l, nodes, pdb, daemon, budget) => new GenConstrainedCluster([s, m, l], nodes, pdb, daemon, budget));

    /// <summary>What a generated pod is there to test.</summary>
    public enum Role
    {
        Plain,
        Web,
        Anti,
        Port,
        Batch,
        Spread,
    }

    public static string App(Role role) => role.ToString().ToLowerInvariant();

    public DisruptionInput Input()
    {
        var catalog = new CatalogBuilder(Zones);
        for (var t = 0; t < TypeNames.Length; t++)
        {
            var maxPods = TypePods[t];
            catalog.Type(TypeNames[t], (TypeCpu[t] / 1000).ToString(CultureInfo.InvariantCulture), $"{TypeMemoryMi[t]}Mi", PricesCents[t] / 100.0, b => b.Pods(maxPods));
        }

        var budget = Budget switch { 0 => "100%", 1 => "1", _ => "50%" };
        var disruption = new NodePoolDisruption(ConsolidationPolicy.WhenEmptyOrUnderutilized, TimeSpan.Zero, [new DisruptionBudget(budget)]);
        var pools = new[]
        {
            new NodePoolBuilder("default").Build() with { Disruption = disruption },
            new NodePoolBuilder("batch").Weight(10).Label(BatchLabel, "batch").Taint(BatchTaint, "batch").Build() with { Disruption = disruption },
        };

        var created = DisruptionCluster.Now.UtcDateTime.AddDays(-1);
        var nodes = new List<ClusterNode>();
        var pods = new List<V1Pod>();
        foreach (var (node, i) in Placed().Select((n, i) => (n, i)))
        {
            var name = $"node-{i}";
            var builder = new NodeBuilder(name, Zones[node.Zone]).NodePool(node.Tainted ? "batch" : "default").InstanceType(TypeNames[node.Type])
                .Label(WellKnownLabels.CapacityType, CapacityTypes.OnDemand)
                .Allocatable($"{TypeCpu[node.Type]}m", $"{TypeMemoryMi[node.Type]}Mi", TypePods[node.Type]);
            if (node.Tainted)
            {
                builder.Label(BatchLabel, "batch").Taint(BatchTaint, "batch");
            }

            nodes.Add(new ClusterNode
            {
                Node = builder.Build(),
                NodeClaim = name,
                NodePool = node.Tainted ? "batch" : "default",
                InstanceType = TypeNames[node.Type],
                Zone = Zones[node.Zone],
                CapacityType = CapacityTypes.OnDemand,
                PricePerHour = PricesCents[node.Type] / 100.0,
                CreatedAt = DisruptionCluster.Now.AddHours(-1),
                InitializedAt = DisruptionCluster.Now.AddHours(-1),
                LastPodEventAt = DisruptionCluster.Now.AddHours(-1),
            });
            if (Daemon)
            {
                var ds = new PodBuilder($"node-agent-{i}", $"{DaemonRequests.MilliCpu}m", $"{DaemonRequests.MemoryMi}Mi", "kube-system").Label("app", "node-agent").BoundTo(name)
                    .Build(created, $"uid-ds-{i.ToString(CultureInfo.InvariantCulture)}");
                ds.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "DaemonSet", Name = "node-agent", Uid = "uid-node-agent", Controller = true }];
                pods.Add(ds);
            }

            foreach (var (pod, j) in node.Pods.Select((p, j) => (p, j)))
            {
                var b = new PodBuilder($"{App(pod.Role)}-{i}-{j}", $"{pod.MilliCpu}m", $"{pod.MemoryMi}Mi").Label("app", App(pod.Role)).BoundTo(name);
                _ = pod.Role switch
                {
                    Role.Anti => b.PodAntiAffinity(WellKnownLabels.Hostname, "app", App(Role.Anti)),
                    Role.Port => b.HostPort(HostPort),
                    Role.Batch => b.Tolerate(BatchTaint, "batch").NodeSelector(BatchLabel, "batch"),
                    Role.Spread => b.Spread(WellKnownLabels.Zone, 1, "app", App(Role.Spread)),
                    _ => b,
                };
                pods.Add(b.Build(created, $"uid-{i.ToString(CultureInfo.InvariantCulture)}-{j.ToString(CultureInfo.InvariantCulture)}"));
            }
        }

        return new DisruptionInput
        {
            Catalog = catalog.Build(),
            NodePools = pools,
            Nodes = nodes,
            Pods = pods,
            DaemonSets = Daemon ? [new DaemonSetBuilder("node-agent", $"{DaemonRequests.MilliCpu}m", $"{DaemonRequests.MemoryMi}Mi").TolerateAll().Build()] : [],
            PodDisruptionBudgets = PdbMaxUnavailable >= 0
                ? [DisruptionCluster.Budget("web", App(Role.Web), null, PdbMaxUnavailable.ToString(CultureInfo.InvariantCulture))]
                : [],
            Now = DisruptionCluster.Now,
        };
    }

    /// <summary>
    /// The nodes with only the pods that may run there: within cpu, memory and pod count (the DaemonSet pod
    /// included), at most one anti and one port pod, batch pods only on batch nodes and no other pods there.
    /// </summary>
    public IEnumerable<Node> Placed() => Nodes.Select(n =>
    {
        var (cpu, memory, count) = Daemon ? (DaemonRequests.MilliCpu, DaemonRequests.MemoryMi, 1) : (0, 0, 0);
        var kept = new List<Pod>();
        foreach (var p in n.Pods)
        {
            var fits = cpu + p.MilliCpu <= TypeCpu[n.Type] && memory + p.MemoryMi <= TypeMemoryMi[n.Type] && count + 1 <= TypePods[n.Type];
            var allowed = (p.Role == Role.Batch) == n.Tainted && !(p.Role is Role.Anti or Role.Port && kept.Any(k => k.Role == p.Role));
            if (fits && allowed)
            {
                (cpu, memory, count) = (cpu + p.MilliCpu, memory + p.MemoryMi, count + 1);
                kept.Add(p);
            }
        }

        return n with { Pods = [.. kept] };
    });

    public sealed record Pod(int MilliCpu, int MemoryMi, Role Role);

    public sealed record Node(int Type, int Zone, bool Tainted, Pod[] Pods);

    public override string ToString() =>
        $"prices [{string.Join(",", PricesCents)}] pdb {PdbMaxUnavailable} daemon {Daemon} budget {Budget}: " +
        string.Join("; ", Placed().Select(n => $"{TypeNames[n.Type]}/{Zones[n.Zone]}{(n.Tainted ? "/batch" : "")}({string.Join(",", n.Pods.Select(p => $"{p.MilliCpu}m{p.MemoryMi}Mi:{App(p.Role)}"))})"));
}
