namespace Karpenter.Orleans.Silo.Auth;

/// <summary>The roles a bearer token can carry.</summary>
internal static class KarpoRoles
{
    public const string Admin = "admin";

    public const string Reader = "reader";

    /// <summary>A cluster's agent; the <see cref="KarpoClaims.ClusterId"/> claim says which cluster.</summary>
    public const string Agent = "agent";
}
