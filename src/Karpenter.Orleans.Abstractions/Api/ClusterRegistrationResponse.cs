namespace Karpenter.Orleans.Abstractions;

/// <summary>The answer to registering a cluster: the agent token, shown this once and stored only as a hash.</summary>
public sealed record ClusterRegistrationResponse(ClusterRegistration Cluster, string AgentToken);
