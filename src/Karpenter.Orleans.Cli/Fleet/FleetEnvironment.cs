namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// What the fleet commands take from outside the process: the HTTP transport, environment variables and the clock,
/// and a token that stops a <c>--watch</c>. Tests replace each one (an in-process server's handler, a dictionary of
/// variables, a fixed clock, their own cancellation) so they never touch the real network, the process environment
/// shared by parallel tests, or wall-clock time.
/// </summary>
internal sealed record FleetEnvironment(HttpMessageHandler? Handler, Func<string, string?> GetVariable, TimeProvider Time, CancellationToken Stop = default)
{
    /// <summary>The real world: sockets, the process environment and the system clock; Ctrl-C stops a watch.</summary>
    public static FleetEnvironment Process { get; } = new(null, Environment.GetEnvironmentVariable, TimeProvider.System);
}
