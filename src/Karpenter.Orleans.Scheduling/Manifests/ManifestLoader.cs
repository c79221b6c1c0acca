namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>Reads Kubernetes and Karpenter manifests from files and folders.</summary>
public static class ManifestLoader
{
    /// <summary>The path that stands for standard input, as in <c>kubectl apply -f -</c>.</summary>
    public const string StandardInputPath = "-";

    /// <summary>How standard input is named in messages.</summary>
    public const string StandardInputName = "<stdin>";

    /// <summary>
    /// Loads every path (a YAML or JSON file, or a folder whose *.yaml / *.yml files are read sorted by name, a
    /// catalog.json beside them left alone; <c>-</c> reads <paramref name="standardInput"/>). <c>kind: List</c> documents are read item by item.
    /// Unsupported kinds are counted in one line on <paramref name="warnings"/>. Throws
    /// <see cref="ManifestException"/> naming file, document and field on malformed input.
    /// </summary>
    public static LoadedManifests Load(IReadOnlyList<string> paths, TextWriter? warnings = null, TextReader? standardInput = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var sources = new List<(string File, string Content)>();
        var readStandardInput = false;
        foreach (var path in paths)
        {
            if (path == StandardInputPath)
            {
                if (standardInput is null || readStandardInput)
                {
                    throw new ManifestException(StandardInputName, null, null,
                        standardInput is null ? "standard input is not available here" : "standard input can be read once; give -f - once");
                }

                readStandardInput = true;
                sources.Add((StandardInputName, standardInput.ReadToEnd()));
                continue;
            }

            foreach (var file in Files(path, warnings))
            {
                sources.Add((file, YamlManifestReader.ReadText(file)));
            }
        }

        return Collect(sources, warnings);
    }

    /// <summary>
    /// Loads manifests from text (YAML, or JSON, which is YAML too), as an agent or an API request sends
    /// them; <paramref name="source"/> stands for the file name in errors.
    /// </summary>
    public static LoadedManifests LoadText(string source, string content, TextWriter? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(content);
        return Collect([(source, content)], warnings);
    }

    /// <summary>
    /// Reads each file the fastest way that takes it (<see cref="JsonManifestReader"/>, <see cref="StreamingManifestReader"/>,
    /// else <see cref="YamlManifestReader"/>). Objects read without a tree cannot locate an error in their fields, so when
    /// collecting finds one, every file is read again by the full reader, whose error names the line and field; the
    /// warnings of the first try are dropped so none is printed twice.
    /// </summary>
    private static LoadedManifests Collect(List<(string File, string Content)> sources, TextWriter? warnings)
    {
        var documents = new List<ManifestDocument>();
        foreach (var (file, content) in sources)
        {
            documents.AddRange(JsonManifestReader.TryRead(file, content) ?? StreamingManifestReader.TryRead(file, content) ?? YamlManifestReader.Read(file, content));
        }

        if (!documents.Any(d => d.PreRead))
        {
            return Collect(documents, warnings);
        }

        var buffered = warnings is null ? null : new StringWriter();
        LoadedManifests loaded;
        try
        {
            loaded = Collect(documents, buffered);
        }
        catch (ManifestException)
        {
            return Collect(sources.SelectMany(s => YamlManifestReader.Read(s.File, s.Content)).ToList(), warnings);
        }

        warnings?.Write(buffered!.ToString());
        return loaded;
    }

    // Every document is read before any is collected: a dump's workloads must know which of their pods it holds.
    private static LoadedManifests Collect(List<ManifestDocument> documents, TextWriter? warnings)
    {
        var collector = new ManifestCollector(warnings, LiveOwners.Of(documents));
        foreach (var document in documents)
        {
            collector.Add(document);
        }

        return collector.Result();
    }

    private static IEnumerable<string> Files(string path, TextWriter? warnings)
    {
        if (File.Exists(path))
        {
            return [path];
        }

        if (!Directory.Exists(path))
        {
            throw new ManifestException(path, null, null, "no such file or folder");
        }

        // Not recursive, like kubectl -f FOLDER; ordinal order so every machine reads files alike.
        var files = Directory.EnumerateFiles(path)
            .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".yaml" or ".yml")
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            warnings?.WriteLine($"{path}: no *.yaml or *.yml files in this folder");
        }

        return files;
    }
}
