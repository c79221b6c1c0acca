using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// A node class object read from the manifests (an <c>EC2NodeClass</c>, or another cloud's): kept as the JSON
/// tree the cloud's own parser reads, with where it came from so that parser's errors can be located.
/// Scalars stay text, as the cloud parsers read numbers and booleans from text.
/// </summary>
public sealed record NodeClassObject(ManifestLocation Location, string ApiVersion, string Kind, string Name, JsonObject Object);
