namespace Karpenter.Orleans.Silo.Auth;

/// <summary>Authorization policies of the API.</summary>
internal static class KarpoPolicies
{
    public const string Scheme = "KarpoBearer";

    /// <summary>The admin token only.</summary>
    public const string Admin = "karpo.admin";

    /// <summary>The agent of the cluster in the route, or admin.</summary>
    public const string ClusterWrite = "karpo.cluster-write";

    /// <summary>Admin or a read token; an agent only for its own cluster (route value or ?cluster=).</summary>
    public const string Read = "karpo.read";

    /// <summary>The fleet console's pages: admin or a read token (an agent's token is for its cluster's API only).</summary>
    public const string Console = "karpo.console";
}
