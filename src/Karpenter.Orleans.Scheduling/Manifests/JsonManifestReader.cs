using System.Text;
using System.Text.Json;
using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// The fastest way through a JSON file (<c>kubectl get -o json</c>): System.Text.Json straight into KubernetesClient's
/// model through <see cref="ManifestJson"/>. It gives up (null) on anything it does not read alone (a NodePool or node
/// class, a value the model refuses, an unknown field), and the YAML readers take the file as before.
/// </summary>
internal static class JsonManifestReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        MaxDepth = DocumentBoundaryParser.MaxDepth + 1,
    };

    /// <summary>True when the text is a JSON object (its first character after white space is an opening brace).</summary>
    public static bool LooksLikeJson(string content)
    {
        foreach (var c in content)
        {
            if (!char.IsWhiteSpace(c) && c != '\uFEFF')
            {
                return c == '{';
            }
        }

        return false;
    }

    /// <summary>The file's objects, or null when a YAML reader must read it.</summary>
    public static List<ManifestDocument>? TryRead(string file, string content)
    {
        if (ManifestJson.Options is not { } options || !LooksLikeJson(content))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(Encoding.UTF8.GetBytes(content), DocumentOptions);
            return Read(file, json.RootElement, options);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not one JSON object, or one the model refuses: the YAML readers read it and report.
            return null;
        }
    }

    private static List<ManifestDocument>? Read(string file, JsonElement root, JsonSerializerOptions options)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var documents = new List<ManifestDocument>();
        var kind = Text(root, "kind");
        var hasItems = root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array;
        var isList = kind == "List" || (kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && hasItems);
        if (!isList)
        {
            return hasItems || !Add(file, null, root, options, documents) ? null : documents;
        }

        if (!hasItems)
        {
            // kind: List without items, or with items: null, holds nothing; anything else there is for the YAML readers to report.
            return !root.TryGetProperty("items", out var none) || none.ValueKind == JsonValueKind.Null ? documents : null;
        }

        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (!Add(file, index++, item, options, documents))
            {
                return null;
            }
        }

        return documents;
    }

    private static bool Add(string file, int? item, JsonElement element, JsonSerializerOptions options, List<ManifestDocument> documents)
    {
        if (element.ValueKind != JsonValueKind.Object || Text(element, "kind") is not { Length: > 0 } kind
            || Text(element, "apiVersion") is not { Length: > 0 } apiVersion || StreamingManifestReader.NeedsTree(kind))
        {
            return false;
        }

        if (StreamingManifestReader.ModelOf(kind) is not { } type)
        {
            var name = element.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object ? Text(metadata, "name") : null;
            documents.Add(new ManifestDocument(file, 1, item, kind, apiVersion, name, null));
            return true;
        }

        if (element.Deserialize(type, options) is not { } value)
        {
            return false;
        }

        documents.Add(new ManifestDocument(file, 1, item, kind, apiVersion, (value as IMetadata<V1ObjectMeta>)?.Metadata?.Name, value));
        return true;
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
