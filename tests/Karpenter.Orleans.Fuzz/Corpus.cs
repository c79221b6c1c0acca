namespace Karpenter.Orleans.Fuzz;

/// <summary>The checked-in seed corpus: corpus/&lt;target&gt;/*, copied beside the binary.</summary>
public static class Corpus
{
    public static string Folder(string target) => Path.Combine(AppContext.BaseDirectory, "corpus", target);

    /// <summary>Every seed of <paramref name="target"/>, by file name, in ordinal order (so runs are reproducible).</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Load(string target)
    {
        var folder = Folder(target);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"no seed corpus for '{target}' at {folder}");
        }

        return [.. Directory.EnumerateFiles(folder)
            .OrderBy(Path.GetFileName, StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))];
    }
}
