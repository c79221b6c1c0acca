using CsCheck;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>
/// The planner passes the solver a what-if's bound pods folded into stand-ins and leaves out nodes that
/// cannot matter (PodFolding); that must not change a single answer. Checked against the same what-ifs and
/// plans with every pod and node passed as it is, on clusters with zonal spread, hostname anti-affinity,
/// PDBs, a DaemonSet and a tainted NodePool.
/// </summary>
public sealed class PodFoldingTests
{
    private static readonly Lazy<DisruptionInput> Small = new(() => ScaleInWorkload.Create(BenchmarkWorkload.Catalog, nodes: 60, seed: 7).Cluster);

    [Fact]
    public void TheScaleInClusterIsFolded()
    {
        var state = new PlannerState(Small.Value);
        Assert.NotNull(state.Folding);
    }

    [Fact]
    public void AWhatIfGivesTheSameAnswerFoldedAsWhole()
    {
        var input = Small.Value;
        var names = input.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal).ToArray();
        var gen = Gen.Select(Gen.Int[0, names.Length - 1].Array[1, 12], Gen.Bool, (picked, replace) => (Picked: picked, Replace: replace));
        gen.Sample(
            c =>
            {
                var options = c.Replace ? Simulation.WithClaims : Simulation.ExistingOnly;
                var chosen = c.Picked.Distinct().Select(i => names[i]).ToList();
                Assert.Equal(Describe(Run(input, chosen, options, fold: false)), Describe(Run(input, chosen, options, fold: true)));
            },
            iter: 40,
            threads: 1,
            print: c => $"{string.Join(",", c.Picked)} replace={c.Replace}");
    }

    [Fact]
    public void PodsSharingANameArePassedWhole()
    {
        var input = Small.Value;
        var bound = input.Pods.Where(p => !string.IsNullOrEmpty(p.Spec?.NodeName) && p.Metadata.OwnerReferences?.Any(o => o.Kind == "DaemonSet") != true).ToList();
        var first = bound[0];
        var other = bound.First(p => p.Spec.NodeName != first.Spec.NodeName);
        var twin = new k8s.Models.V1Pod
        {
            ApiVersion = other.ApiVersion,
            Kind = other.Kind,
            Metadata = new k8s.Models.V1ObjectMeta { Name = first.Metadata.Name, NamespaceProperty = first.Metadata.NamespaceProperty, Labels = other.Metadata.Labels },
            Spec = other.Spec,
            Status = other.Status,
        };
        var renamed = input with { Pods = [.. input.Pods.Select(p => ReferenceEquals(p, other) ? twin : p)] };
        var folding = new PlannerState(renamed).Folding!;
        Assert.False(folding.Knows(first));
        Assert.False(folding.Knows(twin));
        Assert.True(folding.Knows(bound[^1]));
        foreach (var options in new[] { Simulation.ExistingOnly, Simulation.WithClaims })
        {
            List<string> chosen = [first.Spec.NodeName, other.Spec.NodeName];
            Assert.Equal(Describe(Run(renamed, chosen, options, fold: false)), Describe(Run(renamed, chosen, options, fold: true)));
        }
    }

    [Theory]
    [InlineData(42)]
    [InlineData(11)]
    public void APlanIsTheSameFoldedAsWhole(int seed)
    {
        var input = ScaleInWorkload.Create(BenchmarkWorkload.Catalog, nodes: 80, seed: seed).Cluster;
        var whole = Pass(input, fold: false);
        Assert.Contains(whole, a => a.Contains("Consolidation ", StringComparison.Ordinal));
        Assert.Equal(whole, Pass(input, fold: true));
    }

    [Fact]
    public void GeneratedClustersPlanTheSameFoldedAsWhole() =>
        GenCluster.Gen.Sample(
            spec =>
            {
                var input = spec.Input();
                Assert.Equal(Pass(input, fold: false), Pass(input, fold: true));
            },
            iter: 100,
            threads: 1,
            print: s => s.ToString());

    private static SimulationResult Run(DisruptionInput input, List<string> chosen, SolverOptions options, bool fold)
    {
        var state = new PlannerState(input);
        if (!fold)
        {
            state.Folding = null;
        }

        return Simulation.Run(state, [.. chosen.Select(n => state.Nodes[n])], new HashSet<string>(StringComparer.Ordinal), options);
    }

    /// <summary>The actions of passes run to convergence as <see cref="DisruptionPlanner.PlanToConvergence"/> runs them, and the last pass's blocks.</summary>
    private static List<string> Pass(DisruptionInput input, bool fold)
    {
        var state = new PlannerState(input);
        if (!fold)
        {
            state.Folding = null;
        }

        var lines = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            var pass = new DisruptionPass(state, DisruptionOptions.Default);
            pass.Run();
            lines.AddRange(pass.Actions.Select(Describe));
            if (pass.Actions.Count == 0 && !pass.HitEvaluationLimit)
            {
                lines.AddRange(pass.Blocked().Select(b => $"{b.Node} {b.Kind} {b.Reason}"));
                break;
            }

            state.CompletePass();
        }

        return lines;
    }

    private static string Describe(SimulationResult r) =>
        $"stuck {r.Stuck?.Pod} {r.Stuck?.Reason}; unplaced {string.Join(",", r.Unplaced)}; " +
        $"claims {string.Join(";", r.Claims.Select(Describe))}; moves {string.Join(",", r.Moves.Select(m => $"{m.Pod}>{m.To}"))}";

    private static string Describe(DisruptionAction a) =>
        $"{a.Method} {a.Kind} [{string.Join(",", a.Nodes)}] {a.SavingPerHour} claims {string.Join(";", a.Replacements.Select(Describe))} " +
        $"moves {string.Join(",", a.Moves.Select(m => $"{m.Pod}>{m.To}"))}";

    private static string Describe(PlannedNodeClaim c) =>
        $"{c.Name} {c.NodePool} {c.InstanceType} {c.Zone} {c.CapacityType} {c.PricePerHour} [{string.Join(",", c.Pods)}]";
}
