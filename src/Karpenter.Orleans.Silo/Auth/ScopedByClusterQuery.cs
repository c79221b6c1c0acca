namespace Karpenter.Orleans.Silo.Auth;

/// <summary>
/// Endpoint metadata: the route answers for one cluster when <c>?cluster=</c> is given, so an agent of that
/// cluster may call it with its own id. Routes without it ignore the query for authorization, since they
/// would answer for the whole fleet whatever the query says.
/// </summary>
internal sealed class ScopedByClusterQuery
{
    public static readonly ScopedByClusterQuery Instance = new();
}
