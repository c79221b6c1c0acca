namespace Karpenter.Orleans.Silo.Auth;

/// <summary>What a configured (non-agent) token grants.</summary>
internal enum ApiTokenRole
{
    None,
    Reader,
    Admin,
}
