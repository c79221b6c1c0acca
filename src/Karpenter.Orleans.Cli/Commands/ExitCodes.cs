namespace Karpenter.Orleans.Cli.Commands;

/// <summary>Process exit codes; 0..2 are part of the simulate and fleet command contracts.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Malformed or missing input: the message names the file (and document and field when known).</summary>
    public const int BadInput = 1;

    /// <summary>
    /// A fleet command could not get its answer: no server configured, server unreachable, token refused,
    /// unknown cluster, or an answer that is not the API's. Same code as bad input: the cause is outside karpo.
    /// </summary>
    public const int ServiceError = 1;

    /// <summary>The command line itself is wrong (unknown option, missing required option, bad value).</summary>
    public const int Usage = 2;

    /// <summary>An unexpected exception: a bug, not bad input.</summary>
    public const int InternalError = 3;
}
