using System.Globalization;
using BenchmarkDotNet.Attributes;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Benchmarks;

/// <summary>
/// The consolidation benchmark: 2,000 nodes after a 75% scale-in (<see cref="ScaleInWorkload"/>, seed 42), on the
/// benchmark catalog and on the shipped AWS one. The cluster is built in [GlobalSetup]; the Plan cases measure
/// the whole <see cref="DisruptionPlanner.PlanToConvergence"/>, the FreshSolve cases the solve of the pods left
/// on an empty cluster (the price consolidation is compared with). Program passes <see cref="ShortRunConfig"/>.
/// </summary>
[MemoryDiagnoser]
public class ConsolidationBenchmarks
{
    public const int Nodes = ScaleInWorkload.DefaultNodes;

    private string _name = "";
    private ScaleInCluster? _cluster;
    private DisruptionPlan? _plan;
    private SchedulingResult? _fresh;

    [GlobalSetup(Targets = [nameof(Plan2000), nameof(FreshSolve2000)])]
    public void SetupBenchmarkCatalog() => Prepare("benchmark catalog", BenchmarkWorkload.Catalog);

    [GlobalSetup(Targets = [nameof(AwsPlan2000), nameof(AwsFreshSolve2000)])]
    public void SetupAwsCatalog() => Prepare("aws catalog", CatalogLoader.Load(CatalogPath.Resolve()));

    [Benchmark]
    public DisruptionPlan Plan2000() => Plan();

    [Benchmark]
    public SchedulingResult FreshSolve2000() => FreshSolve();

    [Benchmark]
    public DisruptionPlan AwsPlan2000() => Plan();

    [Benchmark]
    public SchedulingResult AwsFreshSolve2000() => FreshSolve();

    /// <summary>Prints what the last run produced (nodes, prices, after ÷ fresh), so a fast but useless plan shows in the log.</summary>
    [GlobalCleanup]
    public void Report()
    {
        if (_cluster is null)
        {
            return;
        }

        // Whichever case ran, the log gets both halves of the comparison.
        var plan = _plan ?? DisruptionPlanner.PlanToConvergence(_cluster.Cluster);
        var fresh = _fresh ?? ProvisioningSolver.Solve(_cluster.Remaining);
        Console.WriteLine(Describe(_name, _cluster, plan, fresh));
    }

    /// <summary>One line: nodes before and after, actions, $/h before, after and fresh, after ÷ fresh.</summary>
    public static string Describe(string name, ScaleInCluster cluster, DisruptionPlan plan, SchedulingResult fresh)
    {
        var removed = plan.Actions.Sum(a => a.Nodes.Count);
        var added = plan.Actions.Sum(a => a.Replacements.Count);
        var ratio = fresh.Summary.PricePerHour > 0 ? plan.Summary.PricePerHourAfter / fresh.Summary.PricePerHour : double.NaN;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"// {name}: nodesBefore={cluster.Cluster.Nodes.Count} podsLeft={cluster.Remaining.Pods.Count} actions={plan.Actions.Count} nodesAfter={cluster.Cluster.Nodes.Count - removed + added} " +
            $"before={plan.Summary.PricePerHourBefore:F3} after={plan.Summary.PricePerHourAfter:F3} fresh={fresh.Summary.PricePerHour:F3} afterOverFresh={ratio:F3}");
    }

    private void Prepare(string name, InstanceTypeCatalog catalog)
    {
        _name = name;
        _cluster = ScaleInWorkload.Create(catalog, Nodes);
    }

    private DisruptionPlan Plan() =>
        _plan = DisruptionPlanner.PlanToConvergence(Cluster().Cluster, DisruptionOptions.Default);

    private SchedulingResult FreshSolve() =>
        _fresh = ProvisioningSolver.Solve(Cluster().Remaining, SolverOptions.Default);

    private ScaleInCluster Cluster() => _cluster ?? throw new InvalidOperationException("GlobalSetup did not run");
}
