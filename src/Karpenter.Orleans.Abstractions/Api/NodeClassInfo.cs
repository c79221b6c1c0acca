using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// A cluster's node class as <c>GET /api/v1/clusters/{id}/nodeclasses</c> shows it: the object the agent sent
/// (<see cref="Spec"/>) and what the cluster's provider resolved it to in the cluster's region (<see cref="Status"/>,
/// the provider's status object, for AWS subnets, security groups, AMIs and conditions). <see cref="Ready"/> and
/// <see cref="Status"/> are null when the provider reads no node classes; <see cref="StatusError"/> says why the
/// provider could not be asked.
/// </summary>
public sealed record NodeClassInfo(
    string ClusterId,
    string Name,
    string ApiVersion,
    string Kind,
    JsonNode? Spec,
    bool? Ready,
    JsonNode? Status,
    string? StatusError = null);
