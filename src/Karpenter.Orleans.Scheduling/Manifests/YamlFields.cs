using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>Small helpers over YamlDotNet's representation model: lookups, nulls and field paths.</summary>
internal static class YamlFields
{
    private const string MergeKey = "<<";

    /// <summary>The value under <paramref name="key"/>, looking into &lt;&lt; merge keys when it is not written directly.</summary>
    public static YamlNode? Get(YamlMappingNode? mapping, string key)
    {
        if (mapping is null)
        {
            return null;
        }

        foreach (var (k, v) in mapping.Children)
        {
            if (k is YamlScalarNode { Value: var name } && string.Equals(name, key, StringComparison.Ordinal))
            {
                return v;
            }
        }

        foreach (var merged in Merged(mapping))
        {
            if (Get(merged, key) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>
    /// A mapping's entries with &lt;&lt; merge keys expanded (keys written directly win, as in YAML 1.1),
    /// so hand-read kinds see what KubernetesClient's merging parser sees.
    /// </summary>
    public static List<KeyValuePair<YamlNode, YamlNode>> Entries(YamlMappingNode mapping)
    {
        var entries = new List<KeyValuePair<YamlNode, YamlNode>>(mapping.Children.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in mapping.Children)
        {
            if (!IsMergeKey(entry.Key))
            {
                entries.Add(entry);
                seen.Add(KeyText(entry.Key));
            }
        }

        foreach (var merged in Merged(mapping))
        {
            foreach (var entry in Entries(merged))
            {
                if (seen.Add(KeyText(entry.Key)))
                {
                    entries.Add(entry);
                }
            }
        }

        return entries;
    }

    /// <summary>The node under a chain of mapping keys, or null when any step is missing or not a mapping.</summary>
    public static YamlNode? At(YamlMappingNode root, params ReadOnlySpan<string> keys)
    {
        YamlNode? node = root;
        foreach (var key in keys)
        {
            node = Get(node as YamlMappingNode, key);
        }

        return node;
    }

    /// <summary>True for a missing node and for YAML null (empty, ~, null).</summary>
    public static bool IsNull(YamlNode? node) =>
        node is null ||
        (node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s &&
         s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    /// <summary>The text of a non-null scalar, or null for anything else (lenient; used for labels in messages).</summary>
    public static string? ScalarOrNull(YamlNode? node) =>
        node is YamlScalarNode s && !IsNull(s) ? s.Value : null;

    public static string Join(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    public static string Index(string parent, int index) => $"{parent}[{index}]";

    /// <summary>
    /// The field at (line, column): the shallowest node starting there; with <paramref name="preferKey"/>
    /// a mapping key starting there wins (errors about unknown fields point at the key). Falls back to
    /// the deepest node containing the position.
    /// </summary>
    public static FieldAt PathAt(YamlNode root, long line, long column, bool preferKey)
    {
        var at = (line, column);
        return Find(root, "", null, null, at, preferKey) ?? Deepest(root, "", null, null, at);
    }

    // ownKey is the mapping key a node sits under; parentKey the one its parent sits under.
    private static FieldAt? Find(YamlNode node, string path, string? ownKey, string? parentKey, (long Line, long Column) at, bool preferKey)
    {
        if (!preferKey && Same(node.Start, at))
        {
            return new(path, node, parentKey);
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (k, v) in mapping.Children)
                {
                    var key = KeyText(k);
                    if (preferKey && Same(k.Start, at))
                    {
                        return new(Join(path, key), k, ownKey);
                    }

                    if (Find(v, Join(path, key), key, ownKey, at, preferKey) is { } found)
                    {
                        return found;
                    }
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var item = sequence.Children[i];
                    if (Find(item, Index(path, i), null, ownKey, at, preferKey) is { } found)
                    {
                        return found;
                    }
                }

                break;
        }

        return null;
    }

    private static FieldAt Deepest(YamlNode node, string path, string? ownKey, string? parentKey, (long Line, long Column) at)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (k, v) in mapping.Children)
                {
                    if (Contains(v, at))
                    {
                        var key = KeyText(k);
                        return Deepest(v, Join(path, key), key, ownKey, at);
                    }
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    if (Contains(sequence.Children[i], at))
                    {
                        return Deepest(sequence.Children[i], Index(path, i), null, ownKey, at);
                    }
                }

                break;
        }

        return new(path, node, parentKey);
    }

    public static bool IsMergeKey(YamlNode key) => key is YamlScalarNode { Value: MergeKey, Style: ScalarStyle.Plain or ScalarStyle.Any };

    private static IEnumerable<YamlMappingNode> Merged(YamlMappingNode mapping)
    {
        foreach (var (k, v) in mapping.Children)
        {
            if (!IsMergeKey(k))
            {
                continue;
            }

            if (v is YamlMappingNode single)
            {
                yield return single;
            }
            else if (v is YamlSequenceNode list)
            {
                foreach (var item in list.Children.OfType<YamlMappingNode>())
                {
                    yield return item;
                }
            }
        }
    }

    public static string KeyText(YamlNode key) => key is YamlScalarNode s ? s.Value ?? "" : key.ToString();

    private static bool Same(Mark mark, (long Line, long Column) at) => mark.Line == at.Line && mark.Column == at.Column;

    private static bool Contains(YamlNode node, (long Line, long Column) at) =>
        Compare(node.Start, at) <= 0 && Compare(LastEnd(node), at) >= 0;

    // The representation model gives collections only their start; their end is their last child's.
    private static Mark LastEnd(YamlNode node) => node switch
    {
        YamlMappingNode { Children.Count: > 0 } m => LastEnd(m.Children.Last().Value),
        YamlSequenceNode { Children.Count: > 0 } s => LastEnd(s.Children[^1]),
        _ => node.End,
    };

    private static int Compare(Mark mark, (long Line, long Column) at) =>
        mark.Line != at.Line ? mark.Line.CompareTo(at.Line) : mark.Column.CompareTo(at.Column);
}
