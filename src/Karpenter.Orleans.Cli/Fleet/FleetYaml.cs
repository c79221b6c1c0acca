using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// <c>-o yaml</c>: the same document as <c>-o json</c>, written as YAML. It is translated from the JSON karpo would
/// print, so field names, enum spellings, times and nulls are identical in both formats.
/// </summary>
internal static class FleetYaml
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf", "-.inf", "+.inf",
    };

    public static string Write<T>(T value)
    {
        using var document = JsonDocument.Parse(FleetJson.Write(value));
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(text, new EmitterSettings().WithNewLine("\n"));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, document.RootElement);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString().TrimEnd('\n');
    }

    private static void Emit(IEmitter emitter, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var empty = !element.EnumerateObject().Any();
                emitter.Emit(new MappingStart(null, null, isImplicit: true, empty ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var property in element.EnumerateObject())
                {
                    emitter.Emit(String(property.Name));
                    Emit(emitter, property.Value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonValueKind.Array:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, element.GetArrayLength() == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in element.EnumerateArray())
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValueKind.String:
                emitter.Emit(String(element.GetString()!));
                break;
            case JsonValueKind.Null:
                emitter.Emit(Plain("null"));
                break;
            default:
                // Numbers and booleans keep JSON's spelling, which YAML reads as the same number or boolean.
                emitter.Emit(Plain(element.GetRawText()));
                break;
        }
    }

    private static Scalar Plain(string text) => new(null, null, text, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false);

    /// <summary>
    /// A string YAML would read as something else unquoted (a number, a boolean, null, a timestamp) is double-quoted;
    /// the emitter itself quotes strings that cannot be plain (a colon and space, a leading dash, ...).
    /// </summary>
    private static Scalar String(string value)
    {
        var ambiguous = value.Length == 0 || Reserved.Contains(value) || char.IsAsciiDigit(value[0]) ||
            value[0] is '-' or '+' or '.' && value.Length > 1 && (char.IsAsciiDigit(value[1]) || value[1] == '.') ||
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        return new Scalar(null, null, value, ambiguous ? ScalarStyle.DoubleQuoted : ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: true);
    }
}
