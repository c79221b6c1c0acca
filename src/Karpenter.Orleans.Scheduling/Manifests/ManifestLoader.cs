namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>Reads Kubernetes and Karpenter manifests from files and folders.</summary>
public static class ManifestLoader
{
    /// <summary>
    /// Loads every path (a YAML file, or a folder whose *.yaml / *.yml files are read sorted by name).
    /// Unsupported kinds are skipped with one line on <paramref name="warnings"/>. Throws
    /// <see cref="ManifestException"/> naming file, document and field on malformed input.
    /// </summary>
    public static LoadedManifests Load(IReadOnlyList<string> paths, TextWriter? warnings = null) =>
        throw new NotImplementedException();
}
