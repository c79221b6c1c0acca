using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Cli.Commands;

/// <summary>
/// Finds the file and 1-based document a Node came from, for errors found after loading (the loaded
/// objects do not keep where they were read). Reads the inputs again in the loader's order; only runs on
/// the error path.
/// </summary>
internal static class NodeLocator
{
    public static (string File, int Document)? Find(IReadOnlyList<string> paths, string nodeName)
    {
        foreach (var file in paths.SelectMany(Files))
        {
            var stream = new YamlStream();
            try
            {
                using var reader = File.OpenText(file);
                stream.Load(reader);
            }
            catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or IOException or UnauthorizedAccessException)
            {
                // The loader read these files a moment ago; a file that changed since is simply not searched.
                continue;
            }

            for (var i = 0; i < stream.Documents.Count; i++)
            {
                if (stream.Documents[i].RootNode is YamlMappingNode root &&
                    Scalar(root, "kind") == "Node" &&
                    root.Children.TryGetValue(new YamlScalarNode("metadata"), out var metadata) &&
                    metadata is YamlMappingNode meta &&
                    Scalar(meta, "name") == nodeName)
                {
                    return (file, i + 1);
                }
            }
        }

        return null;
    }

    // The loader's rule: a file as given, or a folder's *.yaml / *.yml files (not recursive) in ordinal order.
    private static IEnumerable<string> Files(string path) =>
        File.Exists(path)
            ? [path]
            : Directory.Exists(path)
                ? Directory.EnumerateFiles(path)
                    .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".yaml" or ".yml")
                    .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
                : [];

    private static string? Scalar(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode scalar ? scalar.Value : null;
}
