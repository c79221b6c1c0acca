namespace Karpenter.Orleans.Silo.Auth;

/// <summary>Claim types of an authenticated caller.</summary>
internal static class KarpoClaims
{
    /// <summary>The cluster an agent token belongs to.</summary>
    public const string ClusterId = "karpo/cluster";
}
