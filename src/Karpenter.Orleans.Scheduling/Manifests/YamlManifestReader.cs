using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// Splits a manifest file into its objects: its non-empty YAML documents, with a <c>kind: List</c> document (what
/// <c>kubectl get -o yaml|json</c> prints) replaced by its items. JSON is read as the YAML it is.
/// </summary>
internal static partial class YamlManifestReader
{
    public static List<ManifestDocument> Read(string file) => Read(file, ReadText(file));

    /// <summary>Splits <paramref name="content"/>; <paramref name="file"/> names it in errors.</summary>
    public static List<ManifestDocument> Read(string file, string content)
    {
        var boundaries = new DocumentBoundaryParser(new Parser(new StringReader(content)));
        var stream = new YamlStream();
        try
        {
            stream.Load(boundaries);
        }
        catch (YamlException ex)
        {
            throw new ManifestException(file, Math.Max(1, boundaries.Started), null,
                $"line {ex.Start.Line}, column {ex.Start.Column}: invalid YAML: {CleanMessage(ex.Message)}", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // Found by fuzzing: for some broken input YamlDotNet throws these rather than a YamlException (a
            // document marker inside an unclosed flow collection; an alias right after a quoted value). Its last
            // event is the best location there is.
            var last = boundaries.Current?.End;
            throw new ManifestException(file, Math.Max(1, boundaries.Started), null,
                $"line {last?.Line ?? 1}, column {last?.Column ?? 1}: invalid YAML here or just after", ex);
        }

        var documents = new List<ManifestDocument>(stream.Documents.Count);
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var root = stream.Documents[i].RootNode;
            if (YamlFields.IsNull(root))
            {
                continue;
            }

            if (root is not YamlMappingNode mapping)
            {
                throw new ManifestException(file, i + 1, null,
                    $"line {root.Start.Line}: expected a Kubernetes object (a mapping with apiVersion and kind), found {Describe(root)}");
            }

            if (FindCycle(mapping, new HashSet<YamlNode>(ReferenceEqualityComparer.Instance), new HashSet<YamlNode>(ReferenceEqualityComparer.Instance)) is { } cycle)
            {
                throw new ManifestException(file, i + 1, null, $"line {cycle.Start.Line}: an alias refers to a node that contains it");
            }

            if (FindBadMerge(mapping, new HashSet<YamlNode>(ReferenceEqualityComparer.Instance)) is { } merge)
            {
                throw new ManifestException(file, i + 1, null,
                    $"line {merge.Start.Line}: '<<' merges {Describe(merge)}; only a mapping or a list of mappings can be merged");
            }

            if (IsList(mapping))
            {
                AddItems(file, i + 1, mapping, content, boundaries, documents);
                continue;
            }

            var (start, end) = boundaries.Documents[i];
            // Start at the beginning of the line so columns in KubernetesClient's errors match the file's.
            var from = (int)(start.Index - (start.Column - 1));
            var to = (int)Math.Min(end.Index, content.Length);
            documents.Add(new ManifestDocument(file, i + 1, mapping, content[from..to], start.Line));
        }

        return documents;
    }

    /// <summary>
    /// <c>kind: List</c> (kubectl's, items carrying their own apiVersion and kind), or a typed list such as
    /// <c>PodList</c> that the API server returns; the kinds of its items are checked like any document's.
    /// </summary>
    private static bool IsList(YamlMappingNode mapping) =>
        YamlFields.ScalarOrNull(YamlFields.Get(mapping, "kind")) is { } kind
        && (kind == "List" || (kind.EndsWith("List", StringComparison.Ordinal) && YamlFields.Get(mapping, "items") is not null));

    private static void AddItems(string file, int number, YamlMappingNode list, string content, DocumentBoundaryParser boundaries, List<ManifestDocument> documents)
    {
        var node = YamlFields.Get(list, "items");
        if (YamlFields.IsNull(node))
        {
            return;
        }

        var kind = YamlFields.ScalarOrNull(YamlFields.Get(list, "kind"));
        var name = YamlFields.ScalarOrNull(YamlFields.Get(YamlFields.Get(list, "metadata") as YamlMappingNode, "name"));
        if (node is not YamlSequenceNode items)
        {
            throw new ManifestException(file, number, kind, name, "items", $"line {node!.Start.Line}: expected a list, found {Describe(node)}");
        }

        for (var j = 0; j < items.Children.Count; j++)
        {
            var item = items.Children[j];
            if (item is not YamlMappingNode mapping)
            {
                throw new ManifestException(file, number, kind, name, $"items[{j}]",
                    $"line {item.Start.Line}: expected a Kubernetes object (a mapping with apiVersion and kind), found {Describe(item)}");
            }

            var from = (int)mapping.Start.Index;
            var end = boundaries.ItemEnd(mapping.Start.Index) ?? throw new ManifestException(file, number, kind, name, $"items[{j}]",
                $"line {mapping.Start.Line}: the item's end was not found; write items as plain mappings, without anchors or aliases");
            if (mapping.Style == MappingStyle.Flow)
            {
                // JSON, or a flow mapping: it may start mid-line (minified JSON), so it is cut where it starts
                // and its first line's columns are shifted back by the reader. Its end event sits on its closing brace.
                var to = (int)Math.Min(end.Index + 1, content.Length);
                documents.Add(new ManifestDocument(file, number, mapping, content[from..to], mapping.Start.Line, j, mapping.Start.Column));
            }
            else
            {
                // A block mapping after "- ": blank out what precedes it on its line so its keys stay aligned
                // and every column matches the file's.
                var to = (int)Math.Min(end.Index, content.Length);
                var text = string.Concat(new string(' ', (int)(mapping.Start.Column - 1)), content.AsSpan(from, to - from));
                documents.Add(new ManifestDocument(file, number, mapping, text, mapping.Start.Line, j));
            }
        }
    }

    /// <summary>YamlDotNet messages repeat the location; the caller states it once.</summary>
    public static string CleanMessage(string message)
    {
        var text = LocationSuffix().Replace(message, "").Trim();
        var expected = ExpectedGot().Match(text);
        if (expected.Success)
        {
            return $"expected {EventName(expected.Groups[1].Value)}, found {EventName(expected.Groups[2].Value)}";
        }

        return text.TrimEnd('.');
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"the value \"{s.Value}\"",
        _ => "an alias",
    };

    // An alias inside its own anchor makes the tree a cycle; every later walk would recurse forever.
    private static YamlNode? FindCycle(YamlNode node, HashSet<YamlNode> onPath, HashSet<YamlNode> done)
    {
        if (done.Contains(node))
        {
            return null;
        }

        if (!onPath.Add(node))
        {
            return node;
        }

        var children = node switch
        {
            YamlMappingNode m => m.Children.SelectMany(p => new[] { p.Key, p.Value }),
            YamlSequenceNode s => s.Children,
            _ => [],
        };
        foreach (var child in children)
        {
            if (FindCycle(child, onPath, done) is { } cycle)
            {
                return cycle;
            }
        }

        onPath.Remove(node);
        done.Add(node);
        return null;
    }

    // Found by fuzzing: KubernetesClient's merging parser throws KeyNotFoundException for "<<: *a" when
    // the anchor is on a single value. Each node is looked at once, so shared aliases cost nothing extra.
    private static YamlNode? FindBadMerge(YamlNode node, HashSet<YamlNode> seen)
    {
        if (!seen.Add(node))
        {
            return null;
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    if (YamlFields.IsMergeKey(key) && value is not YamlMappingNode && !(value is YamlSequenceNode list && list.Children.All(c => c is YamlMappingNode)))
                    {
                        return value;
                    }

                    if ((FindBadMerge(key, seen) ?? FindBadMerge(value, seen)) is { } bad)
                    {
                        return bad;
                    }
                }

                break;
            case YamlSequenceNode sequence:
                foreach (var child in sequence.Children)
                {
                    if (FindBadMerge(child, seen) is { } bad)
                    {
                        return bad;
                    }
                }

                break;
        }

        return null;
    }

    public static string ReadText(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ManifestException(file, null, null, "no such file or folder", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException(file, null, null, $"cannot read the file: {ex.Message}", ex);
        }
    }

    private static string EventName(string name) => name switch
    {
        "SequenceStart" => "a list",
        "MappingStart" => "a mapping",
        "Scalar" => "a single value",
        _ => name,
    };

    [GeneratedRegex(@"\s*\(at Line: \d+, Col: \d+, Idx: \d+\)")]
    private static partial Regex LocationSuffix();

    [GeneratedRegex(@"^Expected '(\w+)', got '(\w+)'")]
    private static partial Regex ExpectedGot();
}
