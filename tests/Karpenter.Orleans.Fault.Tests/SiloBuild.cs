namespace Karpenter.Orleans.Fault.Tests;

/// <summary>Where the real silo's build output is: src/Karpenter.Orleans.Silo/bin/&lt;this test's configuration&gt;/net10.0.</summary>
internal static class SiloBuild
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The folder of karpo-silo.dll, built with this project (its ProjectReference) in the same configuration.</summary>
    public static string OutputDirectory { get; } = FindOutput();

    public static string Dll => Path.Combine(OutputDirectory, "karpo-silo.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Karpenter.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Karpenter.Orleans.sln above {AppContext.BaseDirectory}");
    }

    private static string FindOutput()
    {
        // .../tests/Karpenter.Orleans.Fault.Tests/bin/<Configuration>/<tfm>/
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!.Name;
        var output = Path.Combine(RepositoryRoot, "src", "Karpenter.Orleans.Silo", "bin", configuration, tfm.Name);
        if (!File.Exists(Path.Combine(output, "karpo-silo.dll")))
        {
            throw new InvalidOperationException($"karpo-silo.dll is not in {output}: build tests/Karpenter.Orleans.Fault.Tests (it builds the silo)");
        }

        return output;
    }
}
