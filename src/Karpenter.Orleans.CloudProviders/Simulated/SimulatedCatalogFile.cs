using System.Collections.Concurrent;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>Finds and reads the shipped instance-type catalog (the simulated regions are built from it; the AWS provider takes its on-demand prices).</summary>
public static class SimulatedCatalogFile
{
    // The shipped catalog takes a noticeable time to parse and never changes while the process runs;
    // sharing the parse between providers (tests make dozens) keyed by path, size and write time
    // still picks up an edited file.
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), Lazy<InstanceTypeCatalog>> Parsed = new();

    /// <summary>The catalog path in effect, or null with <paramref name="problem"/> saying what is wrong and which option fixes it.</summary>
    public static string? Resolve(string? configured, out string? problem)
    {
        problem = null;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            foreach (var candidate in Candidates(configured))
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            problem = $"CatalogPath: the instance-type catalog '{configured}' does not exist (looked in {Directory.GetCurrentDirectory()} and {AppContext.BaseDirectory})";
            return null;
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, SimulatedCloudOptions.DefaultCatalogFile);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        problem = $"CatalogPath is not set and {SimulatedCloudOptions.DefaultCatalogFile} was not found in {AppContext.BaseDirectory}, {Directory.GetCurrentDirectory()} or any folder above them; set CatalogPath to the instance-type catalog";
        return null;
    }

    public static InstanceTypeCatalog Load(string path)
    {
        var info = new FileInfo(path);
        var key = (info.FullName, info.Length, info.LastWriteTimeUtc);
        return Parsed.GetOrAdd(key, k => new Lazy<InstanceTypeCatalog>(() => CatalogLoader.Load(k.Path))).Value;
    }

    private static IEnumerable<string> Candidates(string configured)
    {
        if (Path.IsPathRooted(configured))
        {
            yield return configured;
            yield break;
        }

        yield return Path.GetFullPath(configured);
        yield return Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, configured));
    }
}
