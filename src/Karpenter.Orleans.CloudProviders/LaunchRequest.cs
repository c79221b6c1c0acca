namespace Karpenter.Orleans.CloudProviders;

/// <summary>One launch for one NodeClaim. Offerings are in preference order; the provider takes the first it can fill. ClientToken makes the call idempotent: the same token returns the instance the first call made.</summary>
public sealed record LaunchRequest(
    string Region,
    string Account,
    string ClusterId,
    string NodeClaim,
    string NodePool,
    IReadOnlyList<LaunchOffering> Offerings,
    IReadOnlyDictionary<string, string> Tags,
    string ClientToken)
{
    /// <summary>The NodePool's node class (its <c>nodeClassRef</c>), when the cluster sent one; providers without node classes ignore it.</summary>
    public NodeClassDocument? NodeClass { get; init; }
}
