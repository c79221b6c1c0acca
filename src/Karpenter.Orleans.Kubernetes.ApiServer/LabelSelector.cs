using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// A label selector, from a <c>labelSelector</c> query (<c>a=b,c!=d,e in (f,g),!h</c>) or from a
/// meta/v1 LabelSelector object (matchLabels and matchExpressions, as a PDB carries it).
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    private LabelSelector()
    {
    }

    /// <summary>Selects everything.</summary>
    public static LabelSelector Everything { get; } = new();

    /// <summary>Parses the query form; a malformed selector is a 400 naming it.</summary>
    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in SplitTopLevel(text))
        {
            var term = raw.Trim();
            if (term.Length == 0)
            {
                throw Bad(text, "empty requirement");
            }

            selector._requirements.Add(ParseTerm(text, term));
        }

        return selector;
    }

    /// <summary>
    /// The meta/v1 LabelSelector form. A null selector selects nothing (a PDB without one), an empty
    /// one everything, as Kubernetes defines them for policy/v1.
    /// </summary>
    public static LabelSelector? FromObject(JsonNode? node)
    {
        if (node is not JsonObject obj)
        {
            return null;
        }

        var selector = new LabelSelector();
        if (obj["matchLabels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                var expected = value.Str() ?? "";
                selector._requirements.Add(l => l.TryGetValue(key, out var v) && v == expected);
            }
        }

        if (obj["matchExpressions"] is JsonArray expressions)
        {
            foreach (var e in expressions.OfType<JsonObject>())
            {
                var key = e["key"].Str() ?? "";
                var op = e["operator"].Str() ?? "";
                var values = e["values"] is JsonArray a ? a.Select(v => v.Str() ?? "").ToHashSet() : [];
                selector._requirements.Add(op switch
                {
                    "In" => l => l.TryGetValue(key, out var v) && values.Contains(v),
                    "NotIn" => l => !l.TryGetValue(key, out var v) || !values.Contains(v),
                    "Exists" => l => l.ContainsKey(key),
                    "DoesNotExist" => l => !l.ContainsKey(key),
                    _ => throw ApiException.BadRequest($"\"{op}\" is not a valid label selector operator"),
                });
            }
        }

        return selector;
    }

    public bool IsEmpty => _requirements.Count == 0;

    public bool Matches(JsonObject obj) => Matches(Labels(obj));

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.TrueForAll(r => r(labels));

    public static Dictionary<string, string> Labels(JsonObject obj)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj["metadata"]?["labels"] is JsonObject l)
        {
            foreach (var (key, value) in l)
            {
                labels[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
            }
        }

        return labels;
    }

    private static Func<IReadOnlyDictionary<string, string>, bool> ParseTerm(string text, string term)
    {
        if (term.StartsWith('!'))
        {
            var key = Key(text, term[1..]);
            return l => !l.ContainsKey(key);
        }

        var setOp = FindSetOperator(term);
        if (setOp is { } found)
        {
            var key = Key(text, term[..found.Index]);
            var rest = term[(found.Index + found.Op.Length)..].Trim();
            if (!rest.StartsWith('(') || !rest.EndsWith(')'))
            {
                throw Bad(text, $"expected a parenthesised value list after '{found.Op.Trim()}'");
            }

            var values = rest[1..^1].Split(',').Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
            return found.Op.Trim() == "in"
                ? l => l.TryGetValue(key, out var v) && values.Contains(v)
                : l => !l.TryGetValue(key, out var v) || !values.Contains(v);
        }

        foreach (var op in new[] { "!=", "==", "=" })
        {
            var i = term.IndexOf(op, StringComparison.Ordinal);
            if (i < 0)
            {
                continue;
            }

            var key = Key(text, term[..i]);
            var value = term[(i + op.Length)..].Trim();
            return op == "!="
                ? l => !l.TryGetValue(key, out var v) || v != value
                : l => l.TryGetValue(key, out var v) && v == value;
        }

        var exists = Key(text, term);
        return l => l.ContainsKey(exists);
    }

    private static (int Index, string Op)? FindSetOperator(string term)
    {
        foreach (var op in new[] { " notin ", " in " })
        {
            var i = term.IndexOf(op, StringComparison.Ordinal);
            if (i > 0)
            {
                return (i, op);
            }
        }

        return null;
    }

    private static string Key(string text, string key)
    {
        key = key.Trim();
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or ',' or '=' or '!'))
        {
            throw Bad(text, $"invalid label key \"{key}\"");
        }

        return key;
    }

    // Commas separate requirements except inside an "in (a,b)" value list.
    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    parts.Add(text[start..i]);
                    start = i + 1;
                    break;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    private static ApiException Bad(string text, string why) =>
        ApiException.BadRequest($"unable to parse requirement: labelSelector \"{text}\": {why}");
}
