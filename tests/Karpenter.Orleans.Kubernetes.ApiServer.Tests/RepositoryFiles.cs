using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

/// <summary>Files of the repository the tests check (deploy/, examples/, other tests' TestData), found from the test binaries.</summary>
internal static class RepositoryFiles
{
    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Karpenter.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Karpenter.Orleans.sln above {AppContext.BaseDirectory}");
    });

    /// <summary>The folder holding Karpenter.Orleans.sln.</summary>
    public static string Root => LazyRoot.Value;

    public static string PathOf(string relative) => Path.GetFullPath(Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar)));

    /// <summary>Every folder under deploy/ with a kustomization.yaml, relative and with '/', so a new base or overlay is tested too.</summary>
    public static IReadOnlyList<string> Kustomizations() =>
        [.. Directory.GetFiles(PathOf("deploy"), "kustomization.yaml", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Root, Path.GetDirectoryName(file)!).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)];

    /// <summary>
    /// The NodePool and EC2NodeClass documents users have: every one in examples/ and in the tests' TestData
    /// folders, each with the file it came from, re-serialized as its own YAML document.
    /// </summary>
    public static IReadOnlyList<(string File, string Kind, string Name, string Yaml)> KarpenterManifests()
    {
        var files = Directory.GetFiles(PathOf("examples"), "*.yaml", SearchOption.AllDirectories)
            .Concat(Directory.GetDirectories(PathOf("tests"), "TestData", SearchOption.AllDirectories)
                .Where(dir => !dir.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .SelectMany(dir => Directory.GetFiles(dir, "*.yaml", SearchOption.AllDirectories)))
            .Order(StringComparer.Ordinal);
        var found = new List<(string, string, string, string)>();
        foreach (var file in files)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(file)));
            foreach (var document in stream.Documents)
            {
                if (document.RootNode is not YamlMappingNode root)
                {
                    continue;
                }

                var apiVersion = Scalar(root, "apiVersion");
                var kind = Scalar(root, "kind");
                if ((apiVersion, kind) is not (("karpenter.sh/v1", "NodePool") or ("karpenter.k8s.aws/v1", "EC2NodeClass")))
                {
                    continue;
                }

                var name = root.Children.TryGetValue(new YamlScalarNode("metadata"), out var metadata) && metadata is YamlMappingNode m ? Scalar(m, "name") : null;
                using var writer = new StringWriter();
                new YamlStream(document).Save(writer, assignAnchors: false);
                // YamlDotNet ends each document with "...": one document per entry needs no marker.
                var yaml = string.Join('\n', writer.ToString().Split('\n').Where(line => line.TrimEnd() != "..."));
                found.Add((Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/'), kind!, name ?? "", yaml));
            }
        }

        return found;
    }

    /// <summary>How many non-empty YAML documents <paramref name="yaml"/> holds.</summary>
    public static int CountDocuments(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count(d => d.RootNode is YamlMappingNode { Children.Count: > 0 });
    }

    /// <summary>The namespaces objects in <paramref name="yaml"/> live in that no Namespace in it creates.</summary>
    public static IReadOnlyList<string> NamespacesUsedButNotCreated(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var used = new SortedSet<string>(StringComparer.Ordinal);
        var created = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>())
        {
            var metadata = root.Children.TryGetValue(new YamlScalarNode("metadata"), out var m) ? m as YamlMappingNode : null;
            if (metadata is null)
            {
                continue;
            }

            if (Scalar(root, "kind") == "Namespace" && Scalar(metadata, "name") is { } name)
            {
                created.Add(name);
            }

            if (Scalar(metadata, "namespace") is { } ns)
            {
                used.Add(ns);
            }
        }

        return [.. used.Where(ns => !created.Contains(ns))];
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode scalar ? scalar.Value : null;
}
