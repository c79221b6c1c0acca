using System.Diagnostics;
using System.Globalization;
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

    public static ConsolidationBenchReport Run(string workload, InstanceTypeCatalog catalog, int nodes, double scaleIn, int seed, int repeat, TextWriter stderr, Progress progress)
    {
        var stopwatch = Stopwatch.StartNew();
        ScaleInCluster cluster;
        using (progress.Step($"generating a cluster of about {nodes.ToString("N0", CultureInfo.InvariantCulture)} nodes"))
        {
            cluster = ScaleInWorkload.Create(catalog, nodes, scaleIn, seed);
        }

        var generateSeconds = stopwatch.Elapsed.TotalSeconds;
        var input = cluster.Cluster;
        stderr.WriteLine($"bench: consolidation of {input.Nodes.Count} nodes after a {scaleIn:0.##} scale-in ({cluster.PodsBefore - cluster.PodsDeleted} pods left), cold plan and {repeat} warm plans");

        // CPU time next to wall time: the machine may be shared, and the planner is mostly single-threaded, so
        // CPU close to wall means the figure is the planner's own, far below it means it waited for a core.
        using var self = Process.GetCurrentProcess();
        var cpuBefore = CpuSeconds(self);
        stopwatch.Restart();
        DisruptionPlan plan;
        using (progress.Step("cold plan"))
        {
            plan = DisruptionPlanner.PlanToConvergence(input, DisruptionOptions.Default);
        }

        var coldSeconds = stopwatch.Elapsed.TotalSeconds;
        var coldCpuSeconds = CpuSeconds(self) - cpuBefore;

        var warm = new List<double>(repeat);
        var warmCpu = new List<double>(repeat);
        for (var i = 0; i < repeat; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using (progress.Step($"warm plan {(i + 1).ToString(CultureInfo.InvariantCulture)} of {repeat.ToString(CultureInfo.InvariantCulture)}"))
            {
                cpuBefore = CpuSeconds(self);
                stopwatch.Restart();
                DisruptionPlanner.PlanToConvergence(input, DisruptionOptions.Default);
                warm.Add(stopwatch.Elapsed.TotalSeconds);
                warmCpu.Add(CpuSeconds(self) - cpuBefore);
            }
        }

        SchedulingResult fresh;
        double freshSeconds;
        using (progress.Step("provisioning the remaining pods from scratch"))
        {
            stopwatch.Restart();
            fresh = ProvisioningSolver.Solve(cluster.Remaining, SolverOptions.Default);
            freshSeconds = stopwatch.Elapsed.TotalSeconds;
        }

        var removed = plan.Actions.Sum(a => a.Nodes.Count);
        var replacements = plan.Actions.Sum(a => a.Replacements.Count);
        self.Refresh();
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
            ColdPlanCpuSeconds = coldCpuSeconds,
            WarmPlanCpuSeconds = warmCpu,
            PeakWorkingSetBytes = self.PeakWorkingSet64,
        };
    }

    /// <summary>The process's user and system CPU time so far, all threads (the GC's and the solver's included).</summary>
    private static double CpuSeconds(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime.TotalSeconds;
    }
}
