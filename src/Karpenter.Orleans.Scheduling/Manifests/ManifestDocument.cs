using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// One object of a manifest file, a non-empty YAML document or one item of a <c>kind: List</c> document:
/// its parsed tree (for hand-read kinds and for locating fields) and its own text (for KubernetesClient's
/// deserializer), or, from the streaming readers, the object already read (then it has no tree: see <see cref="PreRead"/>).
/// </summary>
internal sealed class ManifestDocument
{
    public ManifestDocument(string file, int number, YamlMappingNode root, string text, long firstLine, int? item = null, long firstColumn = 1)
    {
        File = file;
        Number = number;
        Item = item;
        Root = root;
        Text = text;
        FirstLine = firstLine;
        FirstColumn = firstColumn;
        Kind = YamlFields.ScalarOrNull(YamlFields.Get(root, "kind"));
        ApiVersion = YamlFields.ScalarOrNull(YamlFields.Get(root, "apiVersion"));
        Name = YamlFields.ScalarOrNull(YamlFields.Get(YamlFields.Get(root, "metadata") as YamlMappingNode, "name"));
    }

    /// <summary>
    /// An object read straight from the parser's events (<see cref="StreamingManifestReader"/>, <see cref="JsonManifestReader"/>):
    /// <paramref name="value"/> is the typed object (null for a kind the simulator does not read); there is no text and no tree.
    /// </summary>
    public ManifestDocument(string file, int number, int? item, string kind, string apiVersion, string? name, object? value)
    {
        File = file;
        Number = number;
        Item = item;
        Root = new YamlMappingNode();
        Text = "";
        FirstLine = 1;
        FirstColumn = 1;
        Kind = kind;
        ApiVersion = apiVersion;
        Name = name;
        Value = value;
        PreRead = true;
    }

    private ManifestDocument(ManifestDocument document, int number)
    {
        File = document.File;
        Number = number;
        Item = document.Item;
        Root = document.Root;
        Text = document.Text;
        FirstLine = document.FirstLine;
        FirstColumn = document.FirstColumn;
        Kind = document.Kind;
        ApiVersion = document.ApiVersion;
        Name = document.Name;
        Value = document.Value;
        PreRead = document.PreRead;
    }

    public string File { get; }

    /// <summary>The same object, <paramref name="documents"/> documents further down its file (a file read in parts).</summary>
    public ManifestDocument After(int documents) => new(this, Number + documents);

    /// <summary>
    /// True for an object the streaming readers read without a tree (<see cref="Root"/> is empty): an error found about it is
    /// located by reading the file again with the full reader.
    /// </summary>
    public bool PreRead { get; }

    /// <summary>The typed object (V1Pod, V1Deployment, ...) when <see cref="PreRead"/>.</summary>
    public object? Value { get; }

    /// <summary>1-based position of the document in its file, counting empty documents too.</summary>
    public int Number { get; }

    /// <summary>The 0-based index in the List document's <c>items</c>, or null for a document that is the object itself.</summary>
    public int? Item { get; }

    public YamlMappingNode Root { get; }

    /// <summary>The document's text, starting at the beginning of the line it starts on.</summary>
    public string Text { get; }

    /// <summary>The 1-based file line <see cref="Text"/> starts on, to turn its line numbers into the file's.</summary>
    public long FirstLine { get; }

    /// <summary>The 1-based file column of <see cref="Text"/>'s first character (a flow-style List item starts mid-line).</summary>
    public long FirstColumn { get; }

    public string? Kind { get; }

    public string? ApiVersion { get; }

    public string? Name { get; }

    /// <summary>"FILE: document N (Kind name)" or "FILE: document N, items[I] (Kind name)", the prefix of every message about this object.</summary>
    public string Describe()
    {
        var what = string.IsNullOrEmpty(Kind) ? "" : string.IsNullOrEmpty(Name) ? $" ({Kind})" : $" ({Kind} {Name})";
        var item = Item is null ? "" : $", items[{Item}]";
        return $"{File}: document {Number}{item}{what}";
    }

    public ManifestLocation Location => new(File, Number, Item);

    public ManifestException Error(string? field, string problem, Exception? inner = null) =>
        new(File, Number, Item, string.IsNullOrEmpty(Kind) ? null : Kind, Name, string.IsNullOrEmpty(field) ? null : field, problem, inner);
}
