using System.Text.Json.Nodes;
using Karpenter.Orleans.Scheduling.Manifests;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// Finds the <c>EC2NodeClass</c> objects in a YAML manifest file (other kinds are left to their readers),
/// validates each and gives it back with the <see cref="NodeClassDocument"/> a cluster would send for it.
/// </summary>
public static class EC2NodeClassManifests
{
    /// <summary>Every EC2NodeClass in <paramref name="content"/>; <paramref name="file"/> names it in errors.</summary>
    public static IReadOnlyList<(EC2NodeClass NodeClass, NodeClassDocument Document)> Read(string file, string content)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(content));
        }
        catch (YamlException e)
        {
            throw new ManifestException(file, null, null, $"line {e.Start.Line}, column {e.Start.Column}: invalid YAML", e);
        }

        var result = new List<(EC2NodeClass, NodeClassDocument)>();
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            if (stream.Documents[i].RootNode is not YamlMappingNode root
                || !root.Children.TryGetValue(new YamlScalarNode("kind"), out var kind)
                || kind is not YamlScalarNode { Value: EC2NodeClass.KindName })
            {
                continue;
            }

            var json = ToJson(root);
            var nodeClass = EC2NodeClassParser.Parse(file, i + 1, json);
            result.Add((nodeClass, new NodeClassDocument(EC2NodeClass.ApiVersion, EC2NodeClass.KindName, nodeClass.Name, json!.ToJsonString())));
        }

        return result;
    }

    /// <summary>The YAML tree as JSON; scalars stay text (the parser reads numbers and booleans from text).</summary>
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value ?? "", ToJson(p.Value)))),
        YamlSequenceNode s => new JsonArray([.. s.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } => null,
        YamlScalarNode v => JsonValue.Create(v.Value),
        _ => null,
    };
}
