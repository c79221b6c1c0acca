using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// A <c>fieldSelector</c> query (<c>spec.nodeName=n1,status.phase!=Running</c>). Like the real
/// server, only metadata.name, metadata.namespace and the fields a resource declares selectable
/// are accepted; any other field is a 400.
/// </summary>
internal sealed class FieldSelector
{
    private readonly List<(string Field, bool Equal, string Value)> _requirements = [];

    private FieldSelector()
    {
    }

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            var (i, op) = term.IndexOf("!=", StringComparison.Ordinal) is var ne and >= 0 ? (ne, "!=")
                : term.IndexOf("==", StringComparison.Ordinal) is var eq and >= 0 ? (eq, "==")
                : (term.IndexOf('='), "=");
            if (i <= 0)
            {
                throw ApiException.BadRequest($"invalid field selector \"{text}\": \"{term}\" is not field=value or field!=value");
            }

            var field = term[..i].Trim();
            if (field is not ("metadata.name" or "metadata.namespace") && !type.SelectableFields.Contains(field))
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }

            selector._requirements.Add((field, op != "!=", term[(i + op.Length)..].Trim()));
        }

        return selector;
    }

    public bool IsEmpty => _requirements.Count == 0;

    public bool Matches(JsonObject obj) =>
        _requirements.TrueForAll(r => (Value(obj, r.Field) == r.Value) == r.Equal);

    /// <summary>The field's value as the real server compares it: scalars as text, a missing field as "".</summary>
    private static string Value(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
            JsonValue v => v.ToJsonString(),
            // Booleans the real server formats with %t read "false" when unset.
            _ when path is "spec.unschedulable" or "spec.hostNetwork" => "false",
            _ => "",
        };
    }
}
