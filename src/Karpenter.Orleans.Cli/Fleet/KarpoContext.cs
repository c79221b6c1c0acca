namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// One context of the client config, as in a kubeconfig: a name, the server, and its token (the admin token, when
/// the context has one, is what the admin commands send).
/// </summary>
internal sealed record KarpoContext(string Name, string? Server, string? Token, string? AdminToken)
{
    /// <summary>The context made of the file's top-level <c>server</c>/<c>token</c>/<c>adminToken</c>, the format the silo writes.</summary>
    public const string DefaultName = "default";
}
