using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>A YAML tree as JSON, for objects read by parsers that take JSON (node classes): scalars stay text.</summary>
internal static class YamlJson
{
    public static JsonObject ToJson(YamlMappingNode mapping)
    {
        var json = new JsonObject();
        foreach (var (key, value) in YamlFields.Entries(mapping))
        {
            // A key given twice was refused when the file was parsed; the first wins like the parsers' Get.
            json.TryAdd(YamlFields.KeyText(key), ToJson(value));
        }

        return json;
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => ToJson(m),
        YamlSequenceNode s => new JsonArray([.. s.Children.Select(ToJson)]),
        _ when YamlFields.IsNull(node) => null,
        YamlScalarNode v => JsonValue.Create(v.Value),
        _ => null,
    };
}
