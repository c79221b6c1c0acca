using System.Text.RegularExpressions;
using k8s;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// Deserializes a document into a KubernetesClient model and turns its errors into located
/// <see cref="ManifestException"/>s. Unknown fields are reported as warnings, as kubectl does, and ignored.
/// </summary>
internal static partial class KubernetesObjectReader
{
    private static readonly HashSet<string> QuantityMaps = new(StringComparer.Ordinal)
    {
        "requests", "limits", "overhead", "allocatable", "capacity",
    };

    /// <summary>Reads the document; an unknown field goes to <paramref name="notes"/>, which says each field once.</summary>
    public static T Read<T>(ManifestDocument doc, UnknownFieldNotes notes)
        where T : class
    {
        if (doc.PreRead)
        {
            return doc.Value as T ?? throw doc.Error(null, $"expected a {typeof(T).Name}");
        }

        try
        {
            return KubernetesYaml.Deserialize<T>(doc.Text, strict: true) ?? throw doc.Error(null, "the document is empty");
        }
        catch (YamlException ex) when (UnknownProperty().Match(ex.Message) is { Success: true } m)
        {
            var field = YamlFields.PathAt(doc.Root, FileLine(doc, ex), FileColumn(doc, ex), preferKey: true);
            notes.Add(doc, field.Path, m.Groups[1].Value);
        }
        catch (YamlException ex) when (ex.Message.StartsWith("Encountered duplicate key", StringComparison.Ordinal))
        {
            // Real duplicates were rejected when the file was parsed; these come from a << merge key
            // overridden by an explicit key, which YAML allows.
        }
        catch (YamlException ex)
        {
            throw Located(doc, ex);
        }

        try
        {
            return KubernetesYaml.Deserialize<T>(doc.Text) ?? throw doc.Error(null, "the document is empty");
        }
        catch (YamlException ex)
        {
            throw Located(doc, ex);
        }
    }

    private static long FileLine(ManifestDocument doc, YamlException ex) => ex.Start.Line + doc.FirstLine - 1;

    private static long FileColumn(ManifestDocument doc, YamlException ex) => ex.Start.Line == 1 ? ex.Start.Column + doc.FirstColumn - 1 : ex.Start.Column;

    private static ManifestException Located(ManifestDocument doc, YamlException ex)
    {
        var line = FileLine(doc, ex);
        var field = YamlFields.PathAt(doc.Root, line, FileColumn(doc, ex), preferKey: false);
        string problem;
        if (ex.InnerException is InvalidCastException && field.Node is not null && CastTarget().Match(ex.InnerException.Message) is { Success: true } cast)
        {
            problem = $"expected {Expected(cast.Groups[1].Value)}, found {YamlManifestReader.Describe(field.Node)}";
        }
        else if (field.Node is YamlMappingNode or YamlSequenceNode && field.ParentKey is { } mapKey && QuantityMaps.Contains(mapKey))
        {
            problem = $"expected a Kubernetes quantity (like 500m, 2 or 4Gi), found {YamlManifestReader.Describe(field.Node)}";
        }
        else if (field.Node is YamlScalarNode scalar && ex.InnerException is { } inner)
        {
            problem = field.ParentKey is { } parentKey && QuantityMaps.Contains(parentKey)
                ? $"\"{scalar.Value}\" is not a Kubernetes quantity (like 500m, 2 or 4Gi)"
                : $"invalid value \"{scalar.Value}\": {inner.Message.TrimEnd('.')}";
        }
        else if (field.Node is not null && NoDeserializer().Match(ex.Message) is { Success: true } m)
        {
            problem = $"expected {Expected(m.Groups[1].Value)}, found {YamlManifestReader.Describe(field.Node)}";
        }
        else
        {
            problem = YamlManifestReader.CleanMessage(ex.InnerException?.Message ?? ex.Message);
        }

        return doc.Error(field.Path, $"line {line}: {problem}", ex);
    }

    private static string Expected(string typeName) => typeName switch
    {
        "System.String" => "a single value",
        "System.Int32" or "System.Int64" or "System.Nullable`1[[System.Int32" or "System.Nullable`1[[System.Int64" => "an integer",
        "System.Boolean" or "System.Nullable`1[[System.Boolean" => "true or false",
        _ when typeName.Contains("List", StringComparison.Ordinal) => "a list",
        _ when typeName.Contains("Dictionary", StringComparison.Ordinal) => "a mapping",
        _ => "a mapping (" + typeName[(typeName.LastIndexOf('.') + 1)..] + ")",
    };

    [GeneratedRegex(@"^No node deserializer was able to deserialize the node into type ([^,]+)")]
    private static partial Regex NoDeserializer();

    [GeneratedRegex(@"to '([^']+)'")]
    private static partial Regex CastTarget();

    [GeneratedRegex(@"^Property '([^']*)' not found on type")]
    private static partial Regex UnknownProperty();
}
