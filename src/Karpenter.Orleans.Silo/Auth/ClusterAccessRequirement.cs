using Microsoft.AspNetCore.Authorization;

namespace Karpenter.Orleans.Silo.Auth;

/// <summary>Access to one cluster's routes (the route's clusterId, or ?cluster=); <see cref="Write"/> is the agent's path.</summary>
internal sealed class ClusterAccessRequirement(bool write) : IAuthorizationRequirement
{
    public bool Write { get; } = write;
}
