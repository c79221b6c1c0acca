using System.Text.Json.Serialization;

namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// A node class object of a cluster (an <c>EC2NodeClass</c> for AWS) as its agent sent it: the service keeps it
/// opaque and hands it to the provider, which parses and resolves it. <see cref="Json"/> is the whole object.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record NodeClassManifest(
    string ApiVersion,
    string Kind,
    string Name,
    string Json)
{
    /// <summary>The API group of <see cref="ApiVersion"/> (<c>karpenter.k8s.aws</c> of <c>karpenter.k8s.aws/v1</c>), what a <c>nodeClassRef</c>'s <c>group</c> names.</summary>
    [JsonIgnore]
    public string Group => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion[..ApiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
}
