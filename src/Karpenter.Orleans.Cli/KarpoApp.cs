using System.CommandLine;
using Karpenter.Orleans.Cli.Commands;
using Karpenter.Orleans.Cli.Fleet;
using Karpenter.Orleans.Cli.Output;

namespace Karpenter.Orleans.Cli;

/// <summary>
/// The karpo command line, runnable in-process with any pair of writers (tests pass StringWriters).
/// Exit codes: 0 success, 1 bad input or service error, 2 usage error, 3 internal error (a bug).
/// </summary>
internal static class KarpoApp
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, stdout, stderr, FleetEnvironment.Process);

    /// <summary>Runs with <paramref name="stdin"/> as standard input (what <c>karpo simulate -f -</c> reads).</summary>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr) =>
        Run(args, stdin, stdout, stderr, FleetEnvironment.Process);

    /// <summary>Runs with the fleet commands sending their requests through <paramref name="handler"/> (a test server's).</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, HttpMessageHandler? handler) =>
        Run(args, stdout, stderr, FleetEnvironment.Process with { Handler = handler });

    /// <summary>Runs with the fleet commands' transport, environment variables and clock all replaced (tests).</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, FleetEnvironment fleet) =>
        Run(args, TextReader.Null, stdout, stderr, fleet);

    private static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, FleetEnvironment fleet)
    {
        var progress = Progress.For(stderr, fleet.GetVariable);
        var root = new RootCommand("karpo: the Karpenter.Orleans command line.")
        {
            SimulateCommand.Create(stdin, stdout, stderr, progress, Timings.For(fleet.GetVariable)),
            BenchCommand.Create(stdout, stderr, progress),
        };
        foreach (var command in FleetCommands.Create(stdout, stderr, fleet))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(CompletionCommand.Create(stdout));

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            // System.CommandLine returns 1 for parse errors; the contract keeps 1 for bad input, so usage errors get 2.
            foreach (var error in parseResult.Errors)
            {
                stderr.WriteLine($"error: {error.Message}");
            }

            var command = parseResult.CommandResult.Command;
            var helpFor = command == root ? "karpo --help" : $"karpo {command.Name} --help";
            stderr.WriteLine($"See '{helpFor}' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            // Async so that --watch stops on Ctrl-C (System.CommandLine cancels the action's token) or on fleet.Stop (tests).
            return parseResult.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = stdout,
                    Error = stderr,
                    EnableDefaultExceptionHandler = false,
                    ProcessTerminationTimeout = TimeSpan.FromSeconds(2),
                },
                fleet.Stop).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (BadInput.Is(ex))
        {
            return BadInput.Report(ex, stderr);
        }
        catch (Exception ex)
        {
            // Not the user's fault: keep the stack trace so the bug can be reported.
            stderr.WriteLine($"error: internal error: {ex}");
            return ExitCodes.InternalError;
        }
    }
}
