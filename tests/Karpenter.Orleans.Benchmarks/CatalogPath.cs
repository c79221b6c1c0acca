using System.Reflection;

namespace Karpenter.Orleans.Benchmarks;

/// <summary>Finds the shipped AWS catalog for the AwsMixed benchmark.</summary>
public static class CatalogPath
{
    /// <summary>Overrides every other rule when set.</summary>
    public const string EnvironmentVariable = "KARPENTER_ORLEANS_CATALOG";

    public const string RelativeToRepository = "data/aws-us-east-1-instance-types.json";

    /// <summary>Where the catalog lives until the repository ships its own copy under data/.</summary>
    public const string SharedFallback = "/work/shared/data/aws-us-east-1-instance-types.json";

    private const string SolutionFile = "Karpenter.Orleans.sln";

    /// <summary>
    /// The environment variable, else data/... under the repository root (found by walking up from the
    /// binaries, the working directory, or the root recorded at build time, since BenchmarkDotNet runs
    /// the benchmark from a generated folder that may sit outside the repository), else the shared copy.
    /// </summary>
    public static string Resolve()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        string?[] starts = [AppContext.BaseDirectory, Environment.CurrentDirectory, BuildTimeRepositoryRoot()];
        foreach (var start in starts)
        {
            if (start is not null && FindRepositoryRoot(start) is { } root)
            {
                var candidate = Path.Combine(root, RelativeToRepository);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return SharedFallback;
    }

    /// <summary>The nearest folder at or above <paramref name="start"/> that holds Karpenter.Orleans.sln.</summary>
    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static string? BuildTimeRepositoryRoot() =>
        typeof(CatalogPath).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
}
