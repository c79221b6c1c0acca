using System.Globalization;
using CsCheck;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>
/// A small generated cluster: three instance types with generated prices, nodes with bound pods, web pods
/// under a PodDisruptionBudget (maxUnavailable, or none), anti pods with required hostname anti-affinity.
/// </summary>
public sealed record GenCluster(int[] PricesCents, GenCluster.GenNode[] Nodes, int PdbMaxUnavailable, int Budget)
{
    public static readonly string[] TypeNames = ["s2", "m4", "l8"];
    public static readonly int[] TypeCpu = [2000, 4000, 8000];

    public static readonly Gen<GenCluster> Gen =
        CsCheck.Gen.Select(
            CsCheck.Gen.Int[5, 12], CsCheck.Gen.Int[13, 24], CsCheck.Gen.Int[20, 45],
            CsCheck.Gen.Select(CsCheck.Gen.Int[0, 2], CsCheck.Gen.Select(CsCheck.Gen.OneOf(100, 250, 500, 1000, 1500), CsCheck.Gen.Int[0, 5], (c, r) => new GenPod(c, r)).Array[0, 5], (t, p) => new GenNode(t, p)).Array[1, 6],
            CsCheck.Gen.Int[-1, 2],
            CsCheck.Gen.Int[0, 2],
            (s, m, l, nodes, pdb, budget) => new GenCluster([s, m, l], nodes, pdb, budget));

    public static bool IsWeb(GenPod p) => p.Role == 1;

    public static bool IsAnti(GenPod p) => p.Role == 2;

    public DisruptionInput Input()
    {
        var catalog = new CatalogBuilder("zone-a");
        for (var t = 0; t < 3; t++)
        {
            catalog.Type(TypeNames[t], (TypeCpu[t] / 1000).ToString(CultureInfo.InvariantCulture), $"{TypeCpu[t] / 250}Gi", PricesCents[t] / 100.0);
        }

        var budget = Budget switch { 0 => "100%", 1 => "1", _ => "50%" };
        var cluster = new DisruptionCluster(catalog).Pool(new NodePoolDisruption(ConsolidationPolicy.WhenEmptyOrUnderutilized, TimeSpan.Zero, [new DisruptionBudget(budget)]));
        if (PdbMaxUnavailable >= 0)
        {
            cluster.Pdb("web", "web", maxUnavailable: PdbMaxUnavailable.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var (node, i) in Placed().Select((n, i) => (n, i)))
        {
            var name = $"node-{i}";
            cluster.Node(name, TypeNames[node.Type]);
            foreach (var (pod, j) in node.Pods.Select((p, j) => (p, j)))
            {
                cluster.Pod($"p-{i}-{j}", $"{pod.MilliCpu}m", name, b =>
                    IsWeb(pod) ? b.Label("app", "web") :
                    IsAnti(pod) ? b.Label("app", "anti").PodAntiAffinity(WellKnownLabels.Hostname, "app", "anti") : b);
            }
        }

        return cluster.Input();
    }

    /// <summary>The nodes with only the pods that fit them (and at most one anti pod each): a valid starting cluster.</summary>
    public IEnumerable<GenNode> Placed() => Nodes.Select(n =>
    {
        var used = 0;
        var anti = false;
        var kept = new List<GenPod>();
        foreach (var p in n.Pods)
        {
            if (used + p.MilliCpu > TypeCpu[n.Type] || (IsAnti(p) && anti))
            {
                continue;
            }

            used += p.MilliCpu;
            anti |= IsAnti(p);
            kept.Add(p);
        }

        return new GenNode(n.Type, [.. kept]);
    });

    /// <summary>A bound pod: cpu, and its role (1 web pod under the PDB, 2 anti pod, one per host, else plain).</summary>
    public sealed record GenPod(int MilliCpu, int Role);

    public sealed record GenNode(int Type, GenPod[] Pods);

    public override string ToString() =>
        $"prices [{string.Join(",", PricesCents)}] pdb {PdbMaxUnavailable} budget {Budget}: " +
        string.Join("; ", Placed().Select(n => $"{TypeNames[n.Type]}({string.Join(",", n.Pods.Select(p => $"{p.MilliCpu}{(IsWeb(p) ? "w" : IsAnti(p) ? "a" : "")}"))})"));
}
