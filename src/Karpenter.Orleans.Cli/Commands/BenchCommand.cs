using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using Karpenter.Orleans.Cli.Output;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Cli.Commands;

/// <summary><c>karpo bench</c>: times the solver on a generated workload and prints speed, cost quality and memory.</summary>
internal static class BenchCommand
{
    public const string Benchmark = "benchmark";
    public const string Preferences = "preferences";
    public const string Aws = "aws";
    public const string AwsNoHostname = "aws-no-hostname";
    public const string AwsNoTopology = "aws-no-topology";
    public const string Fleet = "fleet";

    public static Command Create(TextWriter stdout, TextWriter stderr, Progress progress)
    {
        var pods = new Option<int>("--pods")
        {
            Description = "Number of pods in the workload.",
            DefaultValueFactory = _ => 10_000,
        };
        pods.Validators.Add(RequirePositive);
        var workload = new Option<string>("--workload")
        {
            Description = "benchmark: Karpenter's scheduling benchmark; preferences: its preference variant; aws: a mixed workload on the AWS catalog; aws-no-hostname: the same without hostname anti-affinity and hostname spread; aws-no-topology: the same without any topology constraint; fleet: a generated fleet (services, selectors, spreads, DaemonSets, GPU pool) on the AWS catalog with the seed's per-zone spot prices and unavailable offerings.",
            DefaultValueFactory = _ => Benchmark,
        };
        workload.AcceptOnlyFromAmong(Benchmark, Preferences, Aws, AwsNoHostname, AwsNoTopology, Fleet);
        var catalog = new Option<string>("--instance-types")
        {
            Description = "Catalog for the aws workloads (default: data/aws-us-east-1-instance-types.json of this checkout).",
            HelpName = "PATH",
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the workload generator.",
            DefaultValueFactory = _ => 42,
        };
        var repeat = new Option<int>("--repeat")
        {
            Description = "Timed runs after the warm-up run.",
            DefaultValueFactory = _ => 3,
        };
        repeat.Validators.Add(RequirePositive);
        var output = OutputFormats.CreateOption();
        var consolidate = new Option<bool>("--consolidate")
        {
            Description = "Time the disruption planner instead: a cluster of --nodes nodes after a --scale-in, on the benchmark (default) or aws catalog.",
        };
        var nodes = new Option<int>("--nodes")
        {
            Description = "With --consolidate: about how many nodes the cluster has before the scale-in.",
            DefaultValueFactory = _ => ScaleInWorkload.DefaultNodes,
        };
        nodes.Validators.Add(RequirePositive);
        var scaleIn = new Option<double>("--scale-in")
        {
            Description = "With --consolidate: the fraction of pods deleted (0 to below 1).",
            DefaultValueFactory = _ => ScaleInWorkload.DefaultScaleIn,
        };
        scaleIn.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && double.TryParse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && !(value is >= 0 and < 1))
            {
                result.AddError("--scale-in must be at least 0 and less than 1.");
            }
        });

        // Hidden: makes the inputs of the whole-command benchmark (docs/benchmarks.md, Whole command).
        var writeManifests = new Option<string>("--write-manifests")
        {
            Description = "Write the benchmark mix of --pods pods as simulate inputs (YAML documents, kind: List, kubectl JSON and YAML dumps) to FOLDER and exit.",
            HelpName = "FOLDER",
            Hidden = true,
        };
        var command = new Command("bench", "Time the provisioning solver (or, with --consolidate, the disruption planner) on a generated workload (figures only; nothing is asserted).")
        {
            pods, workload, catalog, seed, repeat, output, consolidate, nodes, scaleIn, writeManifests,
        };
        command.Validators.Add(result =>
        {
            var consolidating = result.GetValue(consolidate);
            if (consolidating && (result.GetValue(workload) ?? Benchmark) is not (Benchmark or Aws))
            {
                result.AddError("--consolidate runs on the benchmark or aws catalog: use --workload benchmark or --workload aws.");
            }

            if (!consolidating && (result.GetResult(nodes) is { Implicit: false } || result.GetResult(scaleIn) is { Implicit: false }))
            {
                result.AddError("--nodes and --scale-in are only used with --consolidate.");
            }
        });
        command.SetAction(parseResult =>
        {
            if (parseResult.GetValue(writeManifests) is { } folder)
            {
                foreach (var file in BenchManifests.Write(folder, parseResult.GetValue(pods), parseResult.GetValue(seed)))
                {
                    stdout.WriteLine(file);
                }

                return ExitCodes.Success;
            }

            if (parseResult.GetValue(consolidate))
            {
                var name = parseResult.GetValue(workload) ?? Benchmark;
                var consolidation = ConsolidationBench.Run(
                    name,
                    name == Aws ? LoadAwsCatalog(parseResult.GetValue(catalog)) : BenchmarkWorkload.Catalog,
                    parseResult.GetValue(nodes),
                    parseResult.GetValue(scaleIn),
                    parseResult.GetValue(seed),
                    parseResult.GetValue(repeat),
                    stderr,
                    progress);
                if (parseResult.GetValue(output) == OutputFormats.Json)
                {
                    stdout.WriteLine(ConsolidationBenchReportWriter.WriteJson(consolidation));
                }
                else
                {
                    ConsolidationBenchReportWriter.WriteTable(consolidation, stdout);
                }

                return ExitCodes.Success;
            }

            var report = Run(
                parseResult.GetValue(workload) ?? Benchmark,
                parseResult.GetValue(pods),
                parseResult.GetValue(seed),
                parseResult.GetValue(repeat),
                parseResult.GetValue(catalog),
                stderr,
                progress);
            if (parseResult.GetValue(output) == OutputFormats.Json)
            {
                stdout.WriteLine(BenchReportWriter.WriteJson(report));
            }
            else
            {
                BenchReportWriter.WriteTable(report, stdout);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static BenchReport Run(string workload, int pods, int seed, int repeat, string? catalogPath, TextWriter stderr, Progress progress)
    {
        var stopwatch = Stopwatch.StartNew();
        SchedulingInput input;
        using (progress.Step($"generating the {workload} workload of {pods.ToString("N0", CultureInfo.InvariantCulture)} pods"))
        {
            input = BuildWorkload(workload, pods, seed, catalogPath);
        }

        var buildSeconds = stopwatch.Elapsed.TotalSeconds;

        stderr.WriteLine($"bench: {workload}, {input.Pods.Count} pods, warm-up and {repeat} timed runs");
        double warmupSeconds;
        using (progress.Step("warm-up solve"))
        {
            (_, warmupSeconds, _) = Timed(input, SolverOptions.Default);
        }

        var runs = new List<double>(repeat);
        var cpu = new List<double>(repeat);
        long allocated = 0;
        for (var i = 0; i < repeat; i++)
        {
            // Start each run from a clean heap so one run's garbage is not billed to the next.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            double seconds, cpuSeconds;
            using (progress.Step($"timed run {(i + 1).ToString(CultureInfo.InvariantCulture)} of {repeat.ToString(CultureInfo.InvariantCulture)}"))
            {
                (_, seconds, cpuSeconds) = Timed(input, SolverOptions.Default);
            }

            allocated += GC.GetTotalAllocatedBytes(precise: true) - before;
            runs.Add(seconds);
            cpu.Add(cpuSeconds);
        }

        SchedulingResult final;
        double lowerBoundSeconds;
        using (progress.Step("solve with the lower bound"))
        {
            (final, lowerBoundSeconds, _) = Timed(input, SolverOptions.Default with { ComputeLowerBound = true });
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var summary = final.Summary;
        var perGroup = PerGroupPacking.Plan(input);
        var firstFit = KarpenterFirstFit.Plan(input);
        return new BenchReport
        {
            Workload = workload,
            Seed = seed,
            Pods = summary.Pods,
            Scheduled = summary.Scheduled,
            Unschedulable = summary.Unschedulable,
            NodeClaims = summary.NodeClaims,
            PricePerHour = summary.PricePerHour,
            GreedyPricePerHour = summary.GreedyPricePerHour,
            LowerBoundPerHour = summary.LowerBoundPerHour,
            GapPercent = summary.GapPercent,
            PerGroupPerHour = perGroup.Unplaced == 0 ? perGroup.PricePerHour : null,
            FirstFitPerHour = firstFit.Scheduled == summary.Scheduled ? firstFit.PricePerHour : null,
            BuildSeconds = buildSeconds,
            WarmupSeconds = warmupSeconds,
            RunSeconds = runs,
            RunCpuSeconds = cpu,
            LowerBoundRunSeconds = lowerBoundSeconds,
            AllocatedBytesPerRun = allocated / repeat,
            PeakWorkingSetBytes = process.PeakWorkingSet64,
            GcHeapBytes = GC.GetGCMemoryInfo().HeapSizeBytes,
        };
    }

    private static SchedulingInput BuildWorkload(string workload, int pods, int seed, string? catalogPath)
    {
        if (workload == Fleet)
        {
            return FleetWorkload.Create(LoadAwsCatalog(catalogPath), pods, seed);
        }

        var topology = workload switch
        {
            Aws => AwsTopology.Full,
            AwsNoHostname => AwsTopology.NoHostname,
            AwsNoTopology => AwsTopology.None,
            _ => (AwsTopology?)null,
        };
        if (topology is null)
        {
            return BenchmarkWorkload.Create(pods, preferences: workload == Preferences, seed);
        }

        return AwsMixedWorkload.Create(LoadAwsCatalog(catalogPath), pods, seed, topology.Value);
    }

    private static InstanceTypeCatalog LoadAwsCatalog(string? catalogPath)
    {
        var path = catalogPath ?? RepositoryPaths.FindAwsCatalog(Directory.GetCurrentDirectory());
        InputPaths.RequireFile(path, "instance-type catalog");
        return CatalogLoader.Load(path);
    }

    /// <summary>One solve: its wall-clock seconds and the CPU seconds the process spent meanwhile (every thread).</summary>
    private static (SchedulingResult Result, double Seconds, double CpuSeconds) Timed(SchedulingInput input, SolverOptions options)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var result = ProvisioningSolver.Solve(input, options);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        process.Refresh();
        return (result, seconds, (process.TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    // Validators run even when the token is not an int (that error is reported on its own), so read the token, not the value.
    private static void RequirePositive(OptionResult result)
    {
        if (result.Tokens is [var token] && int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value <= 0)
        {
            result.AddError($"{result.Option.Name} must be at least 1.");
        }
    }
}
