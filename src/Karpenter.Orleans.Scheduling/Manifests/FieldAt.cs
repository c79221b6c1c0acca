using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>A located field: its path ("spec.containers[0].resources.requests.cpu"), node and the key its parent sits under.</summary>
internal sealed record FieldAt(string Path, YamlNode? Node, string? ParentKey);
