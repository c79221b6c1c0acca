using System.Runtime.CompilerServices;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Karpenter.Orleans.Silo.Tests.Operations;

/// <summary>Finds the repository and reads its deployment files as plain YAML trees.</summary>
internal static class OpsFiles
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder holding Karpenter.Orleans.sln, found by walking up from the test binaries.</summary>
    public static string Root => LazyRoot.Value;

    public static string PathOf(string relative) =>
        Path.GetFullPath(Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar)));

    public static string Read(string relative)
    {
        var path = PathOf(relative);
        Assert.True(File.Exists(path), $"{relative} is missing");
        return File.ReadAllText(path);
    }

    /// <summary>Every document of a YAML text (anchors and merge keys resolved), as dictionaries, lists and strings.</summary>
    public static List<object?> ParseYamlDocuments(string text)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new MergingParser(new Parser(new StringReader(text)));
        var documents = new List<object?>();
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            documents.Add(deserializer.Deserialize<object?>(parser));
        }

        return documents;
    }

    /// <summary>The single document of a YAML file.</summary>
    public static Dictionary<object, object?> ReadYamlMap(string relative)
    {
        var documents = ParseYamlDocuments(Read(relative));
        Assert.True(documents.Count == 1, $"{relative}: expected one YAML document, found {documents.Count}");
        return AsMap(documents[0], relative);
    }

    public static Dictionary<object, object?> AsMap(object? node, string what) =>
        node as Dictionary<object, object?> ?? throw new Xunit.Sdk.XunitException($"{what}: expected a mapping, found {Describe(node)}");

    public static List<object?> AsList(object? node, string what) =>
        node as List<object?> ?? throw new Xunit.Sdk.XunitException($"{what}: expected a sequence, found {Describe(node)}");

    /// <summary>The mapping at <paramref name="key"/>, or null when absent.</summary>
    public static Dictionary<object, object?>? Map(this Dictionary<object, object?> map, string key) =>
        map.TryGetValue(key, out var value) ? value as Dictionary<object, object?> : null;

    /// <summary>The sequence at <paramref name="key"/>, or an empty one when absent.</summary>
    public static List<object?> List(this Dictionary<object, object?> map, string key) =>
        map.TryGetValue(key, out var value) && value is List<object?> list ? list : [];

    /// <summary>The scalar at <paramref name="key"/>, or null when absent or not a scalar.</summary>
    public static string? Str(this Dictionary<object, object?> map, string key) =>
        map.TryGetValue(key, out var value) ? value as string : null;

    /// <summary>Follows a path of keys through nested mappings.</summary>
    public static object? At(this Dictionary<object, object?> map, params string[] path)
    {
        object? node = map;
        foreach (var key in path)
        {
            if (node is not Dictionary<object, object?> current || !current.TryGetValue(key, out node))
            {
                return null;
            }
        }

        return node;
    }

    private static string Describe(object? node) => node is null ? "nothing" : node.GetType().Name;

    private static string FindRoot()
    {
        // The test binaries usually sit under the tree; with --artifacts-path elsewhere, fall back
        // to the working directory and then to where this source file was compiled from.
        string[] starts = [AppContext.BaseDirectory, Directory.GetCurrentDirectory(), Path.GetDirectoryName(ThisSourceFile()) ?? "."];
        foreach (var start in starts)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Karpenter.Orleans.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Karpenter.Orleans.sln not found above " + string.Join(", ", starts));
    }

    private static string ThisSourceFile([CallerFilePath] string path = "") => path;
}
