using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Karpenter.Orleans.Silo.Auth;

/// <summary>
/// Admin may do anything; a read token may read anything; an agent token may read and write only its own
/// cluster, and read nothing fleet-wide (no cluster in the route or query).
/// </summary>
internal sealed class ClusterAccessHandler : AuthorizationHandler<ClusterAccessRequirement>
{
    public const string RouteKey = "clusterId";
    public const string QueryKey = "cluster";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ClusterAccessRequirement requirement)
    {
        var user = context.User;
        if (user.IsInRole(KarpoRoles.Admin) || (!requirement.Write && user.IsInRole(KarpoRoles.Reader)))
        {
            context.Succeed(requirement);
        }
        else if (user.IsInRole(KarpoRoles.Agent)
            && TargetCluster(context.Resource as HttpContext) is { } target
            && string.Equals(user.FindFirstValue(KarpoClaims.ClusterId), target, StringComparison.Ordinal))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    private static string? TargetCluster(HttpContext? http)
    {
        if (http is null)
        {
            return null;
        }

        if (http.Request.RouteValues.TryGetValue(RouteKey, out var route))
        {
            return route as string;
        }

        // Only a route that really narrows its answer to the queried cluster may be opened to an agent by the query.
        if (http.GetEndpoint()?.Metadata.GetMetadata<ScopedByClusterQuery>() is null)
        {
            return null;
        }

        var query = http.Request.Query[QueryKey];
        return query.Count == 1 ? query[0] : null;
    }
}
