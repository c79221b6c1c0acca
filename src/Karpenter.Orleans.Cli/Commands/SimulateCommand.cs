using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using Karpenter.Orleans.Cli.Output;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Cli.Commands;

/// <summary><c>karpo simulate</c>: what nodes would these manifests get, and what would they cost?</summary>
internal static class SimulateCommand
{
    public static Command Create(TextReader stdin, TextWriter stdout, TextWriter stderr, Progress progress, Timings? timings = null)
    {
        var catalog = new Option<string>("--instance-types")
        {
            Description = $"Instance-type catalog (JSON); default: the shipped {RepositoryPaths.AwsCatalog}, next to karpo or in a folder above it.",
            HelpName = "CATALOG.json",
        };
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "A YAML or JSON file (multi-document; kind: List read item by item, as kubectl get -o yaml|json prints), "
                + "a folder of *.yaml/*.yml files, or - for standard input; repeat for more.",
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

        var consolidate = new Option<bool>("--consolidate")
        {
            Description = "Plan disruption of the existing Nodes (emptiness, drift, consolidation) instead of provisioning pending pods.",
        };
        var now = new Option<DateTimeOffset?>("--now")
        {
            Description = "The clock for --consolidate (budget schedules, consolidateAfter, expiry); default: the current UTC time.",
            HelpName = "RFC3339",
            CustomParser = ParseRfc3339,
        };

        var command = new Command("simulate", "Run the provisioning solver offline on manifests and print the planned NodeClaims (or, with --consolidate, the disruption plan).")
        {
            catalog, files, output, minValuesPolicy, preferencePolicy, noImprove, lowerBound, consolidate, now,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(now) is { Implicit: false } && !result.GetValue(consolidate))
            {
                result.AddError("--now is only used with --consolidate.");
            }
        });
        command.SetAction(parseResult =>
        {
            if (parseResult.GetValue(consolidate))
            {
                return RunConsolidation(
                    new Inputs(parseResult.GetValue(catalog), parseResult.GetRequiredValue(files), stdin, progress, timings),
                    parseResult.GetValue(output) ?? OutputFormats.Table,
                    parseResult.GetValue(now) ?? DateTimeOffset.UtcNow,
                    stdout,
                    stderr);
            }

            var options = new SolverOptions
            {
                MinValuesPolicy = parseResult.GetValue(minValuesPolicy),
                PreferencePolicy = parseResult.GetValue(preferencePolicy),
                Improve = !parseResult.GetValue(noImprove),
                ComputeLowerBound = parseResult.GetValue(lowerBound),
            };
            return Run(
                new Inputs(parseResult.GetValue(catalog), parseResult.GetRequiredValue(files), stdin, progress, timings),
                parseResult.GetValue(output) ?? OutputFormats.Table,
                options,
                stdout,
                stderr);
        });
        return command;
    }

    private static int RunConsolidation(Inputs inputs, string format, DateTimeOffset now, TextWriter stdout, TextWriter stderr)
    {
        var (catalog, manifests) = Load(inputs, stderr);
        var input = ClusterNodes.ToDisruptionInput(manifests, catalog, now, inputs.Paths);

        var stopwatch = Stopwatch.StartNew();
        DisruptionPlan plan;
        using (inputs.Progress.Step($"planning disruption of {input.Nodes.Count.ToString("N0", CultureInfo.InvariantCulture)} nodes"))
        {
            plan = DisruptionPlanner.PlanToConvergence(input, DisruptionOptions.Default);
        }

        var planSeconds = stopwatch.Elapsed.TotalSeconds;

        if (format == OutputFormats.Json)
        {
            stdout.WriteLine(ConsolidationJsonWriter.Write(plan));
        }
        else
        {
            ConsolidationTableWriter.Write(plan, planSeconds, stdout);
        }

        return ExitCodes.Success;
    }

    /// <summary>The catalog (the given one, or the shipped one with a note saying so) and the manifests, node classes applied.</summary>
    private static (InstanceTypeCatalog Catalog, LoadedManifests Manifests) Load(Inputs inputs, TextWriter stderr)
    {
        LoadedManifests manifests;
        var catalogPath = inputs.CatalogPath ?? ShippedCatalog.Find();
        InputPaths.RequireFile(catalogPath, "instance-type catalog");
        foreach (var path in inputs.Paths.Where(p => p != ManifestLoader.StandardInputPath))
        {
            InputPaths.RequireFileOrDirectory(path);
        }

        inputs.Timings?.Mark("start to command");
        if (inputs.Progress.Enabled)
        {
            // One step after the other, each with its own progress line.
            InstanceTypeCatalog catalog;
            using (inputs.Progress.Step($"reading the catalog {Path.GetFileName(catalogPath)}"))
            {
                catalog = CatalogLoader.Load(catalogPath);
            }

            if (inputs.CatalogPath is null)
            {
                stderr.WriteLine(ShippedCatalog.Note(catalogPath, catalog));
            }

            using (inputs.Progress.Step("reading manifests"))
            {
                manifests = ManifestLoader.Load(inputs.Paths, stderr, inputs.StandardInput);
            }

            inputs.Timings?.Mark("catalog and manifests");
            return (catalog, NodeClassInputs.Apply(manifests, catalog, stderr));
        }

        // The catalog is read while the manifests are (two cores: the command's start is most of what a user waits
        // for). Messages come out as they did one after the other: the catalog's note and error first, then the
        // manifests' warnings and error.
        var catalogTask = Task.Run(() => CatalogLoader.Load(catalogPath));
        var warnings = new StringWriter();
        LoadedManifests? read = null;
        Exception? manifestError = null;
        try
        {
            read = ManifestLoader.Load(inputs.Paths, warnings, inputs.StandardInput);
        }
        catch (Exception ex) when (BadInput.Is(ex))
        {
            manifestError = ex;
        }

        var loaded = catalogTask.GetAwaiter().GetResult();
        if (inputs.CatalogPath is null)
        {
            stderr.WriteLine(ShippedCatalog.Note(catalogPath, loaded));
        }

        stderr.Write(warnings.ToString());
        if (manifestError is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(manifestError);
        }

        manifests = read!;
        inputs.Timings?.Mark("catalog and manifests");
        return (loaded, NodeClassInputs.Apply(manifests, loaded, stderr));
    }

    /// <summary>RFC 3339: a full date and time with a zone (Z or ±hh:mm), as Kubernetes writes timestamps.</summary>
    private static DateTimeOffset? ParseRfc3339(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        string[] formats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];
        var hasZone = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (hasZone && DateTimeOffset.TryParseExact(text.ToUpperInvariant(), formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        result.AddError($"--now: '{text}' is not an RFC 3339 time such as 2026-12-07T09:30:00Z.");
        return null;
    }

    private static int Run(Inputs inputs, string format, SolverOptions options, TextWriter stdout, TextWriter stderr)
    {
        var (catalog, manifests) = Load(inputs, stderr);
        var input = manifests.ToInput(catalog);
        inputs.Timings?.Mark("solver input");

        // What Karpenter's first fit would launch, planned beside the solve on the same compiled model. It plans
        // new claims only: with nodes or claims already there it is not comparable.
        var compare = input.Nodes.Count == 0 && input.NodeClaims.Count == 0;
        var stopwatch = Stopwatch.StartNew();
        SchedulingResult result;
        FirstFitPlan? karpenter = null;
        using (inputs.Progress.Step($"solving for {input.Pods.Count.ToString("N0", CultureInfo.InvariantCulture)} pods"))
        {
            if (compare)
            {
                (result, karpenter) = ProvisioningSolver.SolveWithFirstFit(input, options);
            }
            else
            {
                result = ProvisioningSolver.Solve(input, options);
            }
        }

        var solveSeconds = stopwatch.Elapsed.TotalSeconds;
        inputs.Timings?.Mark("solve");

        if (format == OutputFormats.Json)
        {
            stdout.WriteLine(SimulationJsonWriter.Write(result, solveSeconds, options.ComputeLowerBound, karpenter));
        }
        else
        {
            SimulationTableWriter.Write(result, solveSeconds, options.ComputeLowerBound, stdout, karpenter);
        }

        if (inputs.Timings is { } timings)
        {
            stdout.Flush();
            timings.Mark("output");
            timings.Write(stderr);
        }

        return ExitCodes.Success;
    }

    /// <summary>What simulate reads: the catalog (null: the shipped one), the -f paths, standard input for <c>-f -</c>, and where its steps are reported.</summary>
    private sealed record Inputs(string? CatalogPath, IReadOnlyList<string> Paths, TextReader StandardInput, Progress Progress, Timings? Timings);
}
