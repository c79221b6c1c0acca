namespace Karpenter.Orleans.Cli.Commands;

/// <summary>Process exit codes; 0..2 are part of the simulate contract.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Malformed or missing input: the message names the file (and document and field when known).</summary>
    public const int BadInput = 1;

    /// <summary>The command line itself is wrong (unknown option, missing required option, bad value).</summary>
    public const int Usage = 2;

    /// <summary>An unexpected exception: a bug, not bad input.</summary>
    public const int InternalError = 3;
}
