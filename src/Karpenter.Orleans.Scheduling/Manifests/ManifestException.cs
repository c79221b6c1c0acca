namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// Bad input, located: the file, the 1-based YAML document in it (when known) and the field path.
/// The message reads "FILE: document N (Kind name): FIELD: problem".
/// </summary>
public sealed class ManifestException : Exception
{
    public ManifestException(string file, int? document, string? field, string problem, Exception? inner = null)
        : base(Format(file, document, field, problem), inner)
    {
        File = file;
        Document = document;
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

    public string? Field { get; }

    public string Problem { get; }

    private static string Format(string file, int? document, string? field, string problem)
    {
        var where = document is null ? file : $"{file}: document {document}";
        return field is null ? $"{where}: {problem}" : $"{where}: {field}: {problem}";
    }
}
