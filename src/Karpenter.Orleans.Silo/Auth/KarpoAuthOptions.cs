namespace Karpenter.Orleans.Silo.Auth;

/// <summary>
/// API credentials, section <see cref="Section"/>. When neither an admin token nor read tokens are
/// configured (the embedded default), the silo generates both on first start, keeps them in
/// <see cref="TokensPath"/> and writes the karpo client config.
/// </summary>
public sealed class KarpoAuthOptions
{
    public const string Section = "Karpo:Auth";

    /// <summary>Full access: registration, spend caps, quotas, every cluster's state.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Read-only access to every cluster and the fleet views.</summary>
    public IList<string> ReadTokens { get; } = [];

    /// <summary>Where generated tokens are kept (mode 600) so a restart reuses them.</summary>
    public string TokensPath { get; set; } = ".karpo/tokens.json";

    /// <summary>How long an agent token's cluster is remembered before the fleet grain is asked again; 0 disables the cache.</summary>
    public int AgentTokenCacheSeconds { get; set; } = 30;

    /// <summary>How long a token the fleet does not know is remembered as unknown, so repeating it costs no grain call; 0 disables.</summary>
    public int FailedTokenCacheSeconds { get; set; } = 10;

    /// <summary>Failed authentications one client (remote IP) may make per <see cref="FailedAttemptsWindowSeconds"/> before it gets 429.</summary>
    public int FailedAttemptsPerClient { get; set; } = 20;

    /// <summary>The window <see cref="FailedAttemptsPerClient"/> counts over.</summary>
    public int FailedAttemptsWindowSeconds { get; set; } = 60;

    /// <summary>The karpo client config to write; <c>KarpoClientConfig.ResolvePath()</c> when empty.</summary>
    public string? ClientConfigPath { get; set; }

    /// <summary>Write the karpo client config at start; when unset, only when the tokens were generated.</summary>
    public bool? WriteClientConfig { get; set; }
}
