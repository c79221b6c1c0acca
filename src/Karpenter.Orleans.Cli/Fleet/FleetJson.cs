using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>The API's JSON conventions (camelCase, enums as camelCase strings), and how <c>-o json</c> prints it.</summary>
internal static class FleetJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        WriteIndented = true,
        // Same bytes on every OS.
        NewLine = "\n",
        // The output is never embedded in HTML; keep "+00:00" offsets and reasons readable (no \u002B).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Prints what the API answered, re-serialised from the Abstractions records: the field order is the records',
    /// so the output is stable whatever spacing or field order the server used.
    /// </summary>
    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);
}
