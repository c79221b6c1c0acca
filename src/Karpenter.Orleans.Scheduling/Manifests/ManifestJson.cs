using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// KubernetesClient's JSON settings (its source-generated models and its converters for times, quantities and
/// int-or-string), made to read what its YAML deserializer reads: numbers and booleans written as strings, any
/// scalar into a string field. Unknown fields and repeated keys throw, so the streaming readers hand such input to
/// the full reader, which reports them (a warning, or a located error) as it always did.
/// </summary>
internal static class ManifestJson
{
    private static readonly Lazy<JsonSerializerOptions?> LazyOptions = new(Create);

    /// <summary>The options, or null when this KubernetesClient keeps its settings elsewhere (the full reader is used then).</summary>
    public static JsonSerializerOptions? Options => LazyOptions.Value;

    private static JsonSerializerOptions? Create()
    {
        // KubernetesClient exposes its settings only to change them for every caller (AddJsonOptions), which would change the
        // service's own reading too; a copy changes them for the manifest readers alone.
        if (typeof(KubernetesJson).GetField("JsonSerializerOptions", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) is not JsonSerializerOptions kubernetes)
        {
            return null;
        }

        var options = new JsonSerializerOptions(kubernetes)
        {
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            AllowDuplicateProperties = false,
        };
        options.Converters.Insert(0, new AnyScalarAsString());
        options.Converters.Insert(0, new BooleanFromText());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>YAML's scalars are text: "8080", true and 3 all read into a string field as written.</summary>
    internal sealed class AnyScalarAsString : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            _ => throw new JsonException($"expected a single value, found {reader.TokenType}"),
        };

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        // Dictionary keys (labels, annotations) are strings too.
        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString()!;

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);
    }

    /// <summary>true and false, also as the text a YAML scalar gives.</summary>
    private sealed class BooleanFromText : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.String when reader.ValueTextEquals("true") || reader.ValueTextEquals("True") || reader.ValueTextEquals("TRUE") => true,
            JsonTokenType.String when reader.ValueTextEquals("false") || reader.ValueTextEquals("False") || reader.ValueTextEquals("FALSE") => false,
            _ => throw new JsonException("expected true or false"),
        };

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
    }
}
