using System.Text;
using System.Text.Json;
using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// The fastest way through a JSON file (<c>kubectl get -o json</c>): one pass of System.Text.Json's reader that cuts the
/// file into its objects, each deserialized from its own bytes into KubernetesClient's model through
/// <see cref="ManifestJson"/>. It gives up (null) on anything it does not read alone (a NodePool or node class, a value
/// the model refuses, an unknown field, a key given twice), and the YAML readers take the file as before.
/// </summary>
internal static class JsonManifestReader
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = DocumentBoundaryParser.MaxDepth + 1 };

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
            var bytes = Encoding.UTF8.GetBytes(content);
            var start = bytes.AsSpan().IndexOfAnyExcept(" \t\r\n"u8);
            return Read(file, bytes.AsMemory(start), options);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not one JSON object, or one the model refuses: the YAML readers read it and report.
            return null;
        }
    }

    private static List<ManifestDocument>? Read(string file, ReadOnlyMemory<byte> json, JsonSerializerOptions options)
    {
        // The root's own fields are few (kind, apiVersion, metadata); its items are cut out as they come.
        var reader = new Utf8JsonReader(json.Span, ReaderOptions);
        reader.Read();
        string? kind = null;
        var items = new List<(int Start, int Length)>();
        var hasItems = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (!seen.Add(name))
            {
                return null;
            }

            reader.Read();
            if (name == "items" && reader.TokenType == JsonTokenType.StartArray)
            {
                hasItems = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var from = (int)reader.TokenStartIndex;
                    reader.Skip();
                    items.Add((from, (int)reader.BytesConsumed - from));
                }

                continue;
            }

            if (name == "kind" && reader.TokenType == JsonTokenType.String)
            {
                kind = reader.GetString();
            }
            else if (name == "items" && reader.TokenType != JsonTokenType.Null)
            {
                // items that are not a list: the YAML readers say so, located.
                return null;
            }

            reader.Skip();
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            // More than one value, or not an object: for the YAML readers.
            return null;
        }

        var documents = new List<ManifestDocument>(items.Count);
        var isList = kind == "List" || (kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && hasItems);
        if (!isList)
        {
            return hasItems || !Add(file, null, json, options, documents) ? null : documents;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (!Add(file, i, json.Slice(items[i].Start, items[i].Length), options, documents))
            {
                return null;
            }
        }

        return documents;
    }

    private static bool Add(string file, int? item, ReadOnlyMemory<byte> json, JsonSerializerOptions options, List<ManifestDocument> documents)
    {
        var (kind, apiVersion) = KindOf(json.Span);
        if (kind is not { Length: > 0 } || apiVersion is not { Length: > 0 } || StreamingManifestReader.NeedsTree(kind))
        {
            return false;
        }

        if (StreamingManifestReader.ModelOf(kind) is not { } type)
        {
            // Only counted by kind: parsed whole only so that a key given twice is refused, as the full reader does.
            using var other = JsonDocument.Parse(json, DocumentOptions);
            var name = other.RootElement.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty("name", out var nameElement) && nameElement.ValueKind == JsonValueKind.String ? nameElement.GetString() : null;
            documents.Add(new ManifestDocument(file, 1, item, kind, apiVersion, name, null));
            return true;
        }

        if (JsonSerializer.Deserialize(json.Span, type, options) is not { } value)
        {
            return false;
        }

        documents.Add(new ManifestDocument(file, 1, item, kind, apiVersion, (value as IMetadata<V1ObjectMeta>)?.Metadata?.Name, value));
        return true;
    }

    /// <summary>The object's top-level kind and apiVersion when they are strings (null otherwise, or for anything but an object).</summary>
    private static (string? Kind, string? ApiVersion) KindOf(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return (null, null);
        }

        string? kind = null;
        string? apiVersion = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isKind = reader.ValueTextEquals("kind"u8);
            var isApiVersion = !isKind && reader.ValueTextEquals("apiVersion"u8);
            reader.Read();
            if (reader.TokenType == JsonTokenType.String && (isKind || isApiVersion))
            {
                if (isKind)
                {
                    kind = reader.GetString();
                }
                else
                {
                    apiVersion = reader.GetString();
                }

                if (kind is not null && apiVersion is not null)
                {
                    break;
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return (kind, apiVersion);
    }
}
