namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>Where an object was read: its file (or <c>&lt;stdin&gt;</c>), 1-based YAML document and, in a <c>kind: List</c>, 0-based item.</summary>
public sealed record ManifestLocation(string File, int Document, int? Item)
{
    /// <summary>A located error about the object of <paramref name="kind"/> and <paramref name="name"/> read here.</summary>
    public ManifestException Error(string kind, string name, string? field, string problem, Exception? inner = null) =>
        new(File, Document, Item, kind, name, field, problem, inner);
}
