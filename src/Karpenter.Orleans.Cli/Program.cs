namespace Karpenter.Orleans.Cli;

/// <summary>
/// The karpo entry point. Not a top-level-statements file: that would make a global <c>Program</c> class, which
/// clashes with the silo's <c>Program</c> in test projects that reference both (WebApplicationFactory&lt;Program&gt;).
/// </summary>
internal static class KarpoProgram
{
    public static int Main(string[] args) => KarpoApp.Run(args, Console.Out, Console.Error);
}
