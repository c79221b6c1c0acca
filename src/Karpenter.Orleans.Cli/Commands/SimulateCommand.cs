using System.CommandLine;
using System.Diagnostics;
using Karpenter.Orleans.Cli.Output;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Cli.Commands;

/// <summary><c>karpo simulate</c>: what nodes would these manifests get, and what would they cost?</summary>
internal static class SimulateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var catalog = new Option<string>("--instance-types")
        {
            Description = "Instance-type catalog (JSON).",
            HelpName = "CATALOG.json",
            Required = true,
        };
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "A YAML file (multi-document) or a folder of *.yaml/*.yml files; repeat for more.",
            HelpName = "PATH",
            Required = true,
        };
        var output = OutputFormats.CreateOption();
        var minValuesPolicy = new Option<MinValuesPolicy>("--min-values-policy")
        {
            Description = "Strict fails a claim that cannot keep minValues; BestEffort relaxes minValues instead.",
            DefaultValueFactory = _ => MinValuesPolicy.Strict,
        };
        var preferencePolicy = new Option<PreferencePolicy>("--preference-policy")
        {
            Description = "Respect tries preferred affinities first; Ignore drops them.",
            DefaultValueFactory = _ => PreferencePolicy.Respect,
        };
        var noImprove = new Option<bool>("--no-improve")
        {
            Description = "Skip the improvement pass and print the first feasible (greedy) plan.",
        };
        var lowerBound = new Option<bool>("--lower-bound")
        {
            Description = "Also compute the LP lower bound on cost and the plan's gap to it.",
        };

        var command = new Command("simulate", "Run the provisioning solver offline on manifests and print the planned NodeClaims.")
        {
            catalog, files, output, minValuesPolicy, preferencePolicy, noImprove, lowerBound,
        };
        command.SetAction(parseResult =>
        {
            var options = new SolverOptions
            {
                MinValuesPolicy = parseResult.GetValue(minValuesPolicy),
                PreferencePolicy = parseResult.GetValue(preferencePolicy),
                Improve = !parseResult.GetValue(noImprove),
                ComputeLowerBound = parseResult.GetValue(lowerBound),
            };
            return Run(
                parseResult.GetRequiredValue(catalog),
                parseResult.GetRequiredValue(files),
                parseResult.GetValue(output) ?? OutputFormats.Table,
                options,
                stdout,
                stderr);
        });
        return command;
    }

    private static int Run(string catalogPath, IReadOnlyList<string> paths, string format, SolverOptions options, TextWriter stdout, TextWriter stderr)
    {
        InputPaths.RequireFile(catalogPath, "instance-type catalog");
        foreach (var path in paths)
        {
            InputPaths.RequireFileOrDirectory(path);
        }

        var catalog = CatalogLoader.Load(catalogPath);
        var manifests = ManifestLoader.Load(paths, stderr);
        var input = manifests.ToInput(catalog);

        var stopwatch = Stopwatch.StartNew();
        var result = ProvisioningSolver.Solve(input, options);
        var solveSeconds = stopwatch.Elapsed.TotalSeconds;

        if (format == OutputFormats.Json)
        {
            stdout.WriteLine(SimulationJsonWriter.Write(result, solveSeconds, options.ComputeLowerBound));
        }
        else
        {
            SimulationTableWriter.Write(result, solveSeconds, options.ComputeLowerBound, stdout);
        }

        return ExitCodes.Success;
    }
}
