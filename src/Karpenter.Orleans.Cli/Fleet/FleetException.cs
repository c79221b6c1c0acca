namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// A fleet command failed for a reason outside karpo (no server configured, server down, token refused, bad answer).
/// The message is printed as one line after <c>error: </c>, without a stack trace, and karpo exits with 1.
/// </summary>
internal sealed class FleetException : Exception
{
    public FleetException(string message)
        : base(message)
    {
    }
}
