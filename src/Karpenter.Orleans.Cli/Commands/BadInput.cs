using System.Text.Json;
using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.Cli.Commands;

/// <summary>Which exceptions mean "the user's input is wrong", and how they are reported (one line, no stack trace).</summary>
internal static class BadInput
{
    public static bool Is(Exception ex) => ex is ManifestException
        or FileNotFoundException
        or DirectoryNotFoundException
        or UnauthorizedAccessException
        or IOException
        or JsonException;

    public static int Report(Exception ex, TextWriter stderr)
    {
        stderr.WriteLine($"error: {ex.Message}");
        return ExitCodes.BadInput;
    }
}
