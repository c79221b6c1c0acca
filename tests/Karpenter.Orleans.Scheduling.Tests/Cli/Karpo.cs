using Karpenter.Orleans.Cli;
using Karpenter.Orleans.Cli.Fleet;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>Runs the karpo CLI in-process with captured output.</summary>
internal static class Karpo
{
    public static CliRun Run(params string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var exitCode = KarpoApp.Run(args, stdout, stderr);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs with the environment variables karpo reads taken from <paramref name="variables"/> only.</summary>
    public static CliRun RunWithVariables(IReadOnlyDictionary<string, string> variables, params string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var environment = FleetEnvironment.Process with { GetVariable = name => variables.GetValueOrDefault(name) };
        var exitCode = KarpoApp.Run(args, stdout, stderr, environment);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs with <paramref name="stdin"/> as standard input, as a shell pipe gives it.</summary>
    public static CliRun RunWithInput(string stdin, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var exitCode = KarpoApp.Run(args, input, stdout, stderr);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }
}
