using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// One non-empty YAML document of a manifest file: its parsed tree (for hand-read kinds and for
/// locating fields) and its own text (for KubernetesClient's deserializer).
/// </summary>
internal sealed class ManifestDocument
{
    public ManifestDocument(string file, int number, YamlMappingNode root, string text, long firstLine)
    {
        File = file;
        Number = number;
        Root = root;
        Text = text;
        FirstLine = firstLine;
        Kind = YamlFields.ScalarOrNull(YamlFields.Get(root, "kind"));
        ApiVersion = YamlFields.ScalarOrNull(YamlFields.Get(root, "apiVersion"));
        Name = YamlFields.ScalarOrNull(YamlFields.Get(YamlFields.Get(root, "metadata") as YamlMappingNode, "name"));
    }

    public string File { get; }

    /// <summary>1-based position of the document in its file, counting empty documents too.</summary>
    public int Number { get; }

    public YamlMappingNode Root { get; }

    /// <summary>The document's text, starting at the beginning of the line it starts on.</summary>
    public string Text { get; }

    /// <summary>The 1-based file line <see cref="Text"/> starts on, to turn its line numbers into the file's.</summary>
    public long FirstLine { get; }

    public string? Kind { get; }

    public string? ApiVersion { get; }

    public string? Name { get; }

    /// <summary>"FILE: document N (Kind name)", the prefix of every message about this document.</summary>
    public string Describe()
    {
        var what = string.IsNullOrEmpty(Kind) ? "" : string.IsNullOrEmpty(Name) ? $" ({Kind})" : $" ({Kind} {Name})";
        return $"{File}: document {Number}{what}";
    }

    public ManifestException Error(string? field, string problem, Exception? inner = null) =>
        new(File, Number, string.IsNullOrEmpty(Kind) ? null : Kind, Name, string.IsNullOrEmpty(field) ? null : field, problem, inner);
}
