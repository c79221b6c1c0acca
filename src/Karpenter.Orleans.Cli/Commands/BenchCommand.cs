using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using Karpenter.Orleans.Cli.Output;
using Karpenter.Orleans.Scheduling.Manifests;
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

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var pods = new Option<int>("--pods")
        {
            Description = "Number of pods in the workload.",
            DefaultValueFactory = _ => 10_000,
        };
        pods.Validators.Add(RequirePositive);
        var workload = new Option<string>("--workload")
        {
            Description = "benchmark: Karpenter's scheduling benchmark; preferences: its preference variant; aws: a mixed workload on the AWS catalog; aws-no-hostname: the same without hostname anti-affinity and hostname spread; aws-no-topology: the same without any topology constraint.",
            DefaultValueFactory = _ => Benchmark,
        };
        workload.AcceptOnlyFromAmong(Benchmark, Preferences, Aws, AwsNoHostname, AwsNoTopology);
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

        var command = new Command("bench", "Time the provisioning solver on a generated workload (figures only; nothing is asserted).")
        {
            pods, workload, catalog, seed, repeat, output,
        };
        command.SetAction(parseResult =>
        {
            var report = Run(
                parseResult.GetValue(workload) ?? Benchmark,
                parseResult.GetValue(pods),
                parseResult.GetValue(seed),
                parseResult.GetValue(repeat),
                parseResult.GetValue(catalog),
                stderr);
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

    private static BenchReport Run(string workload, int pods, int seed, int repeat, string? catalogPath, TextWriter stderr)
    {
        var stopwatch = Stopwatch.StartNew();
        var input = BuildWorkload(workload, pods, seed, catalogPath);
        var buildSeconds = stopwatch.Elapsed.TotalSeconds;

        stderr.WriteLine($"bench: {workload}, {input.Pods.Count} pods, warm-up and {repeat} timed runs");
        var (_, warmupSeconds) = Timed(input, SolverOptions.Default);

        var runs = new List<double>(repeat);
        long allocated = 0;
        for (var i = 0; i < repeat; i++)
        {
            // Start each run from a clean heap so one run's garbage is not billed to the next.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var (_, seconds) = Timed(input, SolverOptions.Default);
            allocated += GC.GetTotalAllocatedBytes(precise: true) - before;
            runs.Add(seconds);
        }

        var (final, lowerBoundSeconds) = Timed(input, SolverOptions.Default with { ComputeLowerBound = true });

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var summary = final.Summary;
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
            BuildSeconds = buildSeconds,
            WarmupSeconds = warmupSeconds,
            RunSeconds = runs,
            LowerBoundRunSeconds = lowerBoundSeconds,
            AllocatedBytesPerRun = allocated / repeat,
            PeakWorkingSetBytes = process.PeakWorkingSet64,
            GcHeapBytes = GC.GetGCMemoryInfo().HeapSizeBytes,
        };
    }

    private static SchedulingInput BuildWorkload(string workload, int pods, int seed, string? catalogPath)
    {
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

        var path = catalogPath ?? RepositoryPaths.FindAwsCatalog(Directory.GetCurrentDirectory());
        InputPaths.RequireFile(path, "instance-type catalog");
        return AwsMixedWorkload.Create(CatalogLoader.Load(path), pods, seed, topology.Value);
    }

    private static (SchedulingResult Result, double Seconds) Timed(SchedulingInput input, SolverOptions options)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = ProvisioningSolver.Solve(input, options);
        return (result, stopwatch.Elapsed.TotalSeconds);
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
