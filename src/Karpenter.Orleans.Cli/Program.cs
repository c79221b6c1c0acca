namespace Karpenter.Orleans.Cli;

/// <summary>
/// The karpo entry point. Not a top-level-statements file: that would make a global <c>Program</c> class, which
/// clashes with the silo's <c>Program</c> in test projects that reference both (WebApplicationFactory&lt;Program&gt;).
/// </summary>
internal static class KarpoProgram
{
    public static int Main(string[] args)
    {
        // Standard input is only read by "simulate -f -"; a plain stream reader reads a large pipe faster than Console.In.
        using var stdin = new StreamReader(Console.OpenStandardInput(), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return KarpoApp.Run(args, stdin, Console.Out, Console.Error);
    }
}
