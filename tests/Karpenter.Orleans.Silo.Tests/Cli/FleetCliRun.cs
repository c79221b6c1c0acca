namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>What one in-process karpo invocation returned and printed.</summary>
internal sealed record FleetCliRun(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Everything karpo printed, for asserting that a secret appears nowhere.</summary>
    public string All => Stdout + Stderr;
}
