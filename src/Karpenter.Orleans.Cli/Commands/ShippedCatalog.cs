namespace Karpenter.Orleans.Cli.Commands;

/// <summary>
/// The instance-type catalog shipped in <c>data/</c>, used when <c>--instance-types</c> is not given: the copy next
/// to karpo (the build puts one there), else the first <c>data/</c> folder above karpo or above the working folder
/// holding it, as the silo's simulated cloud finds it.
/// </summary>
internal static class ShippedCatalog
{
    public static string Find() => Find([AppContext.BaseDirectory, Directory.GetCurrentDirectory()]);

    /// <summary>The catalog found from <paramref name="starts"/>, each walked up to its root; throws <see cref="FileNotFoundException"/> (bad input) naming where it looked.</summary>
    public static string Find(IReadOnlyList<string> starts)
    {
        foreach (var start in starts)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, RepositoryPaths.AwsCatalog);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException(
            $"no --instance-types given and the shipped catalog {RepositoryPaths.AwsCatalog} was not found in {string.Join(" or ", starts)} or any folder above; pass --instance-types CATALOG.json");
    }

    /// <summary>The note on stderr saying which catalog a run used when none was given.</summary>
    public static string Note(string path, Scheduling.Model.InstanceTypeCatalog catalog)
    {
        var region = catalog.Region is { Length: > 0 } r ? $"region {r}, " : "";
        return $"using the shipped instance-type catalog {path} ({region}{catalog.InstanceTypes.Count} instance types, zones {string.Join(", ", catalog.Zones)}); pass --instance-types to use another";
    }
}
