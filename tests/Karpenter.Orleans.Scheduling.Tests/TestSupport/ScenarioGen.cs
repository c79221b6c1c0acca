using System.Globalization;
using System.Text;
using CsCheck;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Scheduling.Tests.TestSupport;

/// <summary>One offering slot of a generated type (zone x capacity type).</summary>
public sealed record OfferingSpec(bool Present, double PriceFactor, bool Available);

public sealed record TypeSpec(int Cpu, int MemoryPerCpu, int Pods, bool Arm, string Family, double BasePrice, OfferingSpec[] Offerings);

/// <summary>CapacityTypes: 0 unconstrained, 1 on-demand, 2 spot, 3 both. ZoneMask: 0 unconstrained, else a bit per zone.</summary>
public sealed record PoolSpec(int Weight, string? Team, string? Arch, int CapacityTypes, int ZoneMask, bool Tainted, int CpuLimit, int NodeLimit);

public sealed record BoundSpec(int MilliCpu, string App, string? SpreadGroup, bool HostPort, bool Guard);

public sealed record NodeSpec(int Zone, int Pool, int Cpu, bool Tainted, BoundSpec[] Bound);

/// <summary>
/// Kind: 0 plain, 1 nodeSelector, 2 required affinity, 3 zonal spread g1, 4 hostname spread g2, 5 hostname anti-affinity,
/// 6 zonal spread g3 (maxSkew 2), 7 zonal self-affinity, 8 hostname affinity to its app, 9 zonal anti-affinity to its app.
/// Zonal spread pods sometimes also prefer the first zone (a preference must not shrink the spread's domains).
/// </summary>
public sealed record PodSpec(int MilliCpu, int MemoryMi, string App, int Kind, int Choice, bool HostPort, bool Tolerates);

public sealed record DaemonSpec(int MilliCpu, bool AmdOnly, bool TolerateAll);

/// <summary>A small random cluster: catalog, NodePools, existing nodes with bound pods, pending pods, DaemonSets.</summary>
public sealed record ScenarioSpec(int Zones, TypeSpec[] Types, PoolSpec[] Pools, NodeSpec[] Nodes, PodSpec[] Pods, DaemonSpec[] DaemonSets)
{
    private static readonly string[] ZoneNames = ["zone-a", "zone-b", "zone-c"];
    private static readonly string[] CapacityTypeSlots = [CapacityTypes.OnDemand, CapacityTypes.Spot];

    public SchedulingInput ToInput()
    {
        var zones = ZoneNames.Take(Zones).ToArray();
        var s = new Scenario(zones);
        for (var i = 0; i < Types.Length; i++)
        {
            var t = Types[i];
            s.Type($"t{i}-{t.Family}{t.Cpu}", t.Cpu.ToString(CultureInfo.InvariantCulture), $"{t.Cpu * t.MemoryPerCpu}Gi", t.BasePrice, b =>
            {
                b.Pods(t.Pods)
                    .Label(TestLabels.Family, t.Family)
                    .Label(TestLabels.Cores, t.Cpu.ToString(CultureInfo.InvariantCulture))
                    .Label(WellKnownLabels.Arch, t.Arm ? "arm64" : "amd64")
                    .Label(WellKnownLabels.Os, "linux");
                var any = false;
                for (var z = 0; z < Zones; z++)
                {
                    for (var c = 0; c < 2; c++)
                    {
                        var o = t.Offerings[(z * 2) + c];
                        if (o.Present)
                        {
                            any = true;
                            var price = Math.Round(t.BasePrice * (c == 0 ? 1.0 : o.PriceFactor), 4);
                            b.Offering(zones[z], CapacityTypeSlots[c], price, o.Available);
                        }
                    }
                }

                if (!any)
                {
                    b.Offering(zones[0], CapacityTypes.OnDemand, t.BasePrice, false);
                }
            });
        }

        for (var i = 0; i < Pools.Length; i++)
        {
            var p = Pools[i];
            var pool = new NodePoolBuilder($"pool-{i}").Weight(p.Weight);
            if (p.Team is not null)
            {
                pool.Label(TestLabels.Team, p.Team);
            }

            if (p.Arch is not null)
            {
                pool.Requirement(WellKnownLabels.Arch, RequirementOperator.In, p.Arch);
            }

            if (p.CapacityTypes != 0)
            {
                pool.Requirement(WellKnownLabels.CapacityType, RequirementOperator.In, [.. CapacityTypeSlots.Where((_, c) => (p.CapacityTypes & (1 << c)) != 0)]);
            }

            var allowedZones = zones.Where((_, z) => (p.ZoneMask & (1 << z)) != 0).ToArray();
            if (p.ZoneMask != 0 && allowedZones.Length > 0)
            {
                pool.Requirement(WellKnownLabels.Zone, RequirementOperator.In, allowedZones);
            }

            if (p.Tainted)
            {
                pool.Taint("dedicated", "true");
            }

            if (p.CpuLimit > 0)
            {
                pool.Limit("cpu", p.CpuLimit.ToString(CultureInfo.InvariantCulture));
            }

            if (p.NodeLimit > 0)
            {
                pool.Limit("nodes", p.NodeLimit.ToString(CultureInfo.InvariantCulture));
            }

            s.Pool(pool);
        }

        for (var i = 0; i < Nodes.Length; i++)
        {
            AddNode(s, zones, i, Nodes[i]);
        }

        for (var i = 0; i < Pods.Length; i++)
        {
            s.Pod(PendingPod(i, Pods[i], zones));
        }

        foreach (var (d, i) in DaemonSets.Select((d, i) => (d, i)))
        {
            var ds = new DaemonSetBuilder($"ds-{i}", $"{d.MilliCpu}m", "64Mi");
            if (d.AmdOnly)
            {
                ds.NodeSelector(WellKnownLabels.Arch, "amd64");
            }

            if (d.TolerateAll)
            {
                ds.TolerateAll();
            }

            s.DaemonSet(ds);
        }

        return s.Input();
    }

    private void AddNode(Scenario s, string[] zones, int index, NodeSpec n)
    {
        var name = $"node-{index}";
        var node = new NodeBuilder(name, zones[n.Zone % zones.Length])
            .Allocatable(n.Cpu.ToString(CultureInfo.InvariantCulture), $"{n.Cpu * 4}Gi", pods: 10)
            .InstanceType("existing")
            .Label(WellKnownLabels.Arch, "amd64")
            .Label(WellKnownLabels.Os, "linux");
        if (n.Pool >= 0 && n.Pool < Pools.Length)
        {
            node.NodePool($"pool-{n.Pool}");
        }

        if (n.Tainted)
        {
            node.Taint("dedicated", "true");
        }

        s.Node(node);
        var used = 0;
        var portUsed = false;
        string? repelled = null;
        for (var j = 0; j < n.Bound.Length && j < 9; j++)
        {
            var b = n.Bound[j];
            if (used + b.MilliCpu > n.Cpu * 1000)
            {
                continue;
            }

            used += b.MilliCpu;
            var app = b.App == repelled ? "filler" : b.App;
            var pod = new PodBuilder($"{name}-bound-{j}", $"{b.MilliCpu}m", "256Mi").BoundTo(name).Tolerate("dedicated", "true");
            if (b.Guard && repelled is null && j == 0)
            {
                repelled = b.App == "filler" ? "web" : b.App;
                pod.Label("app", "guard").PodAntiAffinity(WellKnownLabels.Hostname, "app", repelled);
            }
            else
            {
                pod.Label("app", app);
            }

            if (b.SpreadGroup is not null)
            {
                pod.Label("sg", b.SpreadGroup);
            }

            if (b.HostPort && !portUsed)
            {
                portUsed = true;
                pod.HostPort(8080);
            }

            s.Pod(pod);
        }
    }

    private static PodBuilder PendingPod(int index, PodSpec p, string[] zones)
    {
        var pod = new PodBuilder($"pod-{index}", $"{p.MilliCpu}m", $"{p.MemoryMi}Mi").Label("app", p.App);
        switch (p.Kind)
        {
            case 1:
                _ = (p.Choice % 6) switch
                {
                    0 => pod.NodeSelector(WellKnownLabels.Arch, "amd64"),
                    1 => pod.NodeSelector(WellKnownLabels.Arch, "arm64"),
                    2 => pod.NodeSelector(TestLabels.Team, "a"),
                    3 => pod.NodeSelector(WellKnownLabels.Zone, zones[^1]),
                    4 => pod.NodeSelector(WellKnownLabels.CapacityType, CapacityTypes.Spot),
                    _ => pod.NodeSelector(TestLabels.Family, "b"),
                };
                break;
            case 2:
                pod.RequiredNodeAffinity((p.Choice % 6) switch
                {
                    0 => PodBuilder.Expr(TestLabels.Family, "In", "a", "b"),
                    1 => PodBuilder.Expr(TestLabels.Cores, "Gt", "2"),
                    2 => PodBuilder.Expr(WellKnownLabels.Arch, "NotIn", "arm64"),
                    3 => PodBuilder.Expr(TestLabels.Team, "DoesNotExist"),
                    4 => PodBuilder.Expr(WellKnownLabels.Zone, "NotIn", zones[0]),
                    _ => PodBuilder.Expr(WellKnownLabels.CapacityType, "In", CapacityTypes.OnDemand),
                });
                break;
            case 3:
                pod.Label("sg", "g1").Spread(WellKnownLabels.Zone, 1, "sg", "g1");
                PreferFirstZone(pod, p, zones);
                break;
            case 4:
                pod.Label("sg", "g2").Spread(WellKnownLabels.Hostname, 1, "sg", "g2");
                break;
            case 5:
                pod.PodAntiAffinity(WellKnownLabels.Hostname, "app", p.App);
                break;
            case 6:
                pod.Label("sg", "g3").Spread(WellKnownLabels.Zone, 2, "sg", "g3");
                PreferFirstZone(pod, p, zones);
                break;
            case 7:
                pod.Label("zg", p.App).PodAffinity(WellKnownLabels.Zone, "zg", p.App);
                break;
            case 8:
                pod.PodAffinity(WellKnownLabels.Hostname, "app", p.App);
                break;
            case 9:
                pod.PodAntiAffinity(WellKnownLabels.Zone, "app", p.App);
                break;
            default:
                break;
        }

        if (p.HostPort)
        {
            pod.HostPort(8080);
        }

        if (p.Tolerates)
        {
            pod.Tolerate("dedicated", "true");
        }

        return pod;
    }

    private static void PreferFirstZone(PodBuilder pod, PodSpec p, string[] zones)
    {
        if (p.Choice % 2 == 0)
        {
            pod.PreferredNodeAffinity(10, PodBuilder.Expr(WellKnownLabels.Zone, "In", zones[0]));
        }
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"zones={Zones}");
        foreach (var (t, i) in Types.Select((t, i) => (t, i)))
        {
            var offers = string.Join(" ", t.Offerings.Take(Zones * 2).Select((o, k) => o.Present ? $"{ZoneNames[k / 2]}/{(k % 2 == 0 ? "od" : "spot")}{(o.Available ? string.Empty : "(x)")}@{o.PriceFactor:0.#}" : "-"));
            sb.AppendLine(CultureInfo.InvariantCulture, $"type t{i}: cpu={t.Cpu} mem/cpu={t.MemoryPerCpu}Gi pods={t.Pods} arm={t.Arm} family={t.Family} price={t.BasePrice} [{offers}]");
        }

        foreach (var (p, i) in Pools.Select((p, i) => (p, i)))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"pool-{i}: {p}");
        }

        foreach (var (n, i) in Nodes.Select((n, i) => (n, i)))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"node-{i}: zone={n.Zone} pool={n.Pool} cpu={n.Cpu} tainted={n.Tainted} bound=[{string.Join("; ", n.Bound.Select(b => b.ToString()))}]");
        }

        foreach (var (p, i) in Pods.Select((p, i) => (p, i)))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"pod-{i}: {p}");
        }

        foreach (var d in DaemonSets)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"ds: {d}");
        }

        return sb.ToString();
    }
}

/// <summary>CsCheck generators for <see cref="ScenarioSpec"/>; sizes are kept small so properties stay fast.</summary>
public static class ScenarioGen
{
    private static readonly Gen<OfferingSpec> Offering =
        Gen.Select(Gen.Int[0, 9], Gen.Int[2, 9], Gen.Int[0, 9], (p, f, a) => new OfferingSpec(p < 7, f / 10.0, a < 8));

    private static readonly Gen<TypeSpec> Type =
        Gen.Select(
            Gen.OneOf(1, 2, 4, 8, 16),
            Gen.OneOf(2, 4, 8),
            Gen.OneOf(3, 8, 110),
            Gen.Int[0, 3],
            Gen.OneOf("a", "b", "c"),
            Gen.Int[80, 120],
            Offering.Array[6],
            (cpu, mem, pods, arm, family, factor, offerings) =>
                new TypeSpec(cpu, mem, pods, arm == 0, family, Math.Round(cpu * 0.05 * factor / 100.0 * (mem / 4.0 + 0.5), 4), offerings));

    private static readonly Gen<PoolSpec> Pool =
        Gen.Select(
            Gen.Int[0, 3],
            Gen.OneOf<string?>(null, null, "a", "b"),
            Gen.OneOf<string?>(null, null, null, "amd64", "arm64"),
            Gen.Int[0, 3],
            Gen.Int[0, 7],
            Gen.Int[0, 4],
            Gen.Int[0, 5],
            Gen.Int[0, 5],
            (w, team, arch, ct, zones, taint, cpu, nodes) => new PoolSpec(
                w * 10, team, arch, ct, zones < 4 ? 0 : zones, taint == 0, cpu == 0 ? 12 : cpu == 1 ? 24 : 0, nodes == 0 ? 2 : nodes == 1 ? 4 : 0));

    private static readonly Gen<BoundSpec> Bound =
        Gen.Select(
            Gen.OneOf(100, 250, 500, 1000),
            Gen.OneOf("web", "api", "filler"),
            Gen.OneOf<string?>(null, null, "g1", "g2", "g3"),
            Gen.Int[0, 4],
            Gen.Int[0, 3],
            (cpu, app, sg, port, guard) => new BoundSpec(cpu, app, sg, port == 0, guard == 0));

    private static readonly Gen<NodeSpec> Node =
        Gen.Select(Gen.Int[0, 2], Gen.Int[-1, 2], Gen.OneOf(2, 4, 8), Gen.Int[0, 5], Bound.Array[0, 4],
            (zone, pool, cpu, taint, bound) => new NodeSpec(zone, pool, cpu, taint == 0, bound));

    private static readonly Gen<PodSpec> Pod =
        Gen.Select(
            Gen.OneOf(100, 250, 500, 1000, 1500, 3000, 7000),
            Gen.OneOf(128, 512, 1024, 4096),
            Gen.OneOf("web", "api", "db"),
            Gen.Frequency((5, Gen.Const(0)), (1, Gen.Const(1)), (1, Gen.Const(2)), (1, Gen.Const(3)), (1, Gen.Const(4)), (1, Gen.Const(5)), (1, Gen.Const(6)), (1, Gen.Const(7)), (1, Gen.Const(8)), (1, Gen.Const(9))),
            Gen.Int[0, 5],
            Gen.Int[0, 5],
            Gen.Int[0, 3],
            (cpu, mem, app, kind, choice, port, tol) => new PodSpec(cpu, mem, app, kind, choice, port == 0, tol == 0));

    private static readonly Gen<DaemonSpec> Daemon =
        Gen.Select(Gen.OneOf(100, 250, 500), Gen.Bool, Gen.Bool, (cpu, amd, tol) => new DaemonSpec(cpu, amd, tol));

    public static readonly Gen<ScenarioSpec> Scenario =
        Gen.Select(
            Gen.Int[1, 3],
            Type.Array[1, 8],
            Pool.Array[1, 3],
            Node.Array[0, 2],
            Pod.Array[1, 12],
            Daemon.Array[0, 1],
            (zones, types, pools, nodes, pods, daemons) => new ScenarioSpec(zones, types, pools, nodes, pods, daemons));
}
