using System.Diagnostics;
using Karpenter.Orleans.Cli.Output;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Cli.Commands;

/// <summary><c>karpo bench --consolidate</c>: a scale-in cluster, the whole disruption plan timed cold and warm, and a fresh solve to compare.</summary>
internal static class ConsolidationBench
{
    /// <summary>Reasons that keep a node from being a candidate at all (Karpenter's candidate filter), as opposed to a candidate the planner declined.</summary>
    private static readonly HashSet<BlockReason> NotCandidate =
    [
        BlockReason.NotManaged,
        BlockReason.NotInitialized,
        BlockReason.Deleting,
        BlockReason.Nominated,
        BlockReason.NodeDoNotDisrupt,
        BlockReason.PodDoNotDisrupt,
        BlockReason.PodDisruptionBudget,
    ];

    public static ConsolidationBenchReport Run(string workload, InstanceTypeCatalog catalog, int nodes, double scaleIn, int seed, int repeat, TextWriter stderr)
    {
        var stopwatch = Stopwatch.StartNew();
        var cluster = ScaleInWorkload.Create(catalog, nodes, scaleIn, seed);
        var generateSeconds = stopwatch.Elapsed.TotalSeconds;
        var input = cluster.Cluster;
        stderr.WriteLine($"bench: consolidation of {input.Nodes.Count} nodes after a {scaleIn:0.##} scale-in ({cluster.PodsBefore - cluster.PodsDeleted} pods left), cold plan and {repeat} warm plans");

        stopwatch.Restart();
        var plan = DisruptionPlanner.PlanToConvergence(input, DisruptionOptions.Default);
        var coldSeconds = stopwatch.Elapsed.TotalSeconds;

        var warm = new List<double>(repeat);
        for (var i = 0; i < repeat; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            stopwatch.Restart();
            DisruptionPlanner.PlanToConvergence(input, DisruptionOptions.Default);
            warm.Add(stopwatch.Elapsed.TotalSeconds);
        }

        stopwatch.Restart();
        var fresh = ProvisioningSolver.Solve(cluster.Remaining, SolverOptions.Default);
        var freshSeconds = stopwatch.Elapsed.TotalSeconds;

        var removed = plan.Actions.Sum(a => a.Nodes.Count);
        var replacements = plan.Actions.Sum(a => a.Replacements.Count);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return new ConsolidationBenchReport
        {
            Workload = workload,
            Seed = seed,
            NodesRequested = nodes,
            ScaleIn = scaleIn,
            PodsBefore = cluster.PodsBefore,
            PodsDeleted = cluster.PodsDeleted,
            NodesBefore = input.Nodes.Count,
            Candidates = input.Nodes.Count - plan.Blocked.Count(b => NotCandidate.Contains(b.Kind)),
            ActionsByMethod =
            [
                .. Enum.GetValues<DisruptionMethod>().Select(m => (
                    DisruptionNames.Method(m),
                    plan.Actions.Count(a => a.Method == m),
                    plan.Actions.Where(a => a.Method == m).Sum(a => a.Nodes.Count))),
            ],
            Replacements = replacements,
            NodesAfter = input.Nodes.Count - removed + replacements,
            Blocked = plan.Blocked.Count,
            PricePerHourBefore = plan.Summary.PricePerHourBefore,
            PricePerHourAfter = plan.Summary.PricePerHourAfter,
            FreshPricePerHour = fresh.Summary.PricePerHour,
            FreshNodeClaims = fresh.Summary.NodeClaims,
            FreshUnschedulable = fresh.Summary.Unschedulable,
            GenerateSeconds = generateSeconds,
            FreshSolveSeconds = freshSeconds,
            ColdPlanSeconds = coldSeconds,
            WarmPlanSeconds = warm,
            PeakWorkingSetBytes = process.PeakWorkingSet64,
        };
    }
}
