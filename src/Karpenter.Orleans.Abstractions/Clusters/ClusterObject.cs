using System.Text.Json.Serialization;

namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// One object of a full resync: its kind and its JSON as the Kubernetes API serves it. On the wire <c>json</c> is the
/// object itself (the older form, a string holding the JSON, is read too).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClusterObject(
    ObjectKind Kind,
    [property: JsonConverter(typeof(EmbeddedJsonConverter))] string Json);
