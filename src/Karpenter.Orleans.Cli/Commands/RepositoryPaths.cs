namespace Karpenter.Orleans.Cli.Commands;

/// <summary>Finds files shipped in the repository, for commands run from a checkout.</summary>
internal static class RepositoryPaths
{
    public const string SolutionFile = "Karpenter.Orleans.sln";

    public static readonly string AwsCatalog = Path.Combine("data", "aws-us-east-1-instance-types.json");

    /// <summary>
    /// The shipped AWS catalog, found by walking up from <paramref name="start"/> to the folder holding the
    /// solution. Throws <see cref="FileNotFoundException"/> (bad input) when there is no checkout above it.
    /// </summary>
    public static string FindAwsCatalog(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                return Path.Combine(dir.FullName, AwsCatalog);
            }
        }

        throw new FileNotFoundException(
            $"no {SolutionFile} found in '{start}' or above it to locate {AwsCatalog}; pass --instance-types");
    }
}
