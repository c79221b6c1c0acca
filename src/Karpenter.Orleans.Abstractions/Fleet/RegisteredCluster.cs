namespace Karpenter.Orleans.Abstractions;

/// <summary>A cluster in the fleet registry: its registration and the SHA-256 of its agent token (never the token).</summary>
[GenerateSerializer, Immutable]
public sealed record RegisteredCluster(
    ClusterRegistration Registration,
    string AgentTokenSha256,
    DateTimeOffset RegisteredAt);
