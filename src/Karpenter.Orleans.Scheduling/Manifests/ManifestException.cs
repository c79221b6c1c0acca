namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// Bad input, located: the file, the 1-based YAML document in it (when known), the item of a <c>kind: List</c>
/// document (when the object is one), the object it describes (when known) and the field path. The message reads
/// "FILE: document N (Kind name): FIELD: problem", or "FILE: document N, items[I] (Kind name): FIELD: problem".
/// </summary>
public sealed class ManifestException : Exception
{
    public ManifestException(string file, int? document, string? field, string problem, Exception? inner = null)
        : this(file, document, null, null, field, problem, inner)
    {
    }

    public ManifestException(string file, int? document, string? kind, string? objectName, string? field, string problem, Exception? inner = null)
        : this(file, document, null, kind, objectName, field, problem, inner)
    {
    }

    public ManifestException(string file, int? document, int? item, string? kind, string? objectName, string? field, string problem, Exception? inner = null)
        : base(Format(file, document, item, kind, objectName, field, problem), inner)
    {
        File = file;
        Document = document;
        Item = item;
        Kind = kind;
        ObjectName = objectName;
        Field = field;
        Problem = problem;
    }

    public ManifestException()
        : this("<unknown>", null, null, "invalid input")
    {
    }

    public ManifestException(string message)
        : this("<unknown>", null, null, message)
    {
    }

    public ManifestException(string message, Exception innerException)
        : this("<unknown>", null, null, message, innerException)
    {
    }

    public string File { get; }

    public int? Document { get; }

    /// <summary>The 0-based index in <c>items</c> when the document is a <c>kind: List</c> (what <c>kubectl get -o yaml</c> prints).</summary>
    public int? Item { get; }

    /// <summary>The kind of the object in the document, when it could be read.</summary>
    public string? Kind { get; }

    /// <summary>The metadata.name of the object in the document, when it could be read.</summary>
    public string? ObjectName { get; }

    public string? Field { get; }

    public string Problem { get; }

    private static string Format(string file, int? document, int? item, string? kind, string? objectName, string? field, string problem)
    {
        var where = document is null ? file : item is null ? $"{file}: document {document}" : $"{file}: document {document}, items[{item}]";
        if (document is not null && !string.IsNullOrEmpty(kind))
        {
            where += string.IsNullOrEmpty(objectName) ? $" ({kind})" : $" ({kind} {objectName})";
        }

        return field is null ? $"{where}: {problem}" : $"{where}: {field}: {problem}";
    }
}
