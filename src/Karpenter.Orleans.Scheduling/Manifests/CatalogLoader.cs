using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>Reads an instance-type catalog (the JSON format of the design's contract).</summary>
public static class CatalogLoader
{
    /// <summary>Loads a catalog file; throws <see cref="ManifestException"/> naming the file and field when it is missing or malformed.</summary>
    public static InstanceTypeCatalog Load(string path) => throw new NotImplementedException();
}
