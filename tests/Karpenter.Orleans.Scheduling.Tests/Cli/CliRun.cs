namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>What one in-process karpo invocation returned and printed.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
