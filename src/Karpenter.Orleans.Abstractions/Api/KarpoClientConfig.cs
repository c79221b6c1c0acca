namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// Where karpo finds the service and a credential, the way kubectl reads its kubeconfig. The embedded
/// silo writes it on first start to <see cref="DefaultPath"/> (or <c>$KARPO_CONFIG</c>); flags
/// (<c>--server</c>, <c>--token</c>) and variables (<c>KARPO_SERVER</c>, <c>KARPO_TOKEN</c>) override it.
/// </summary>
public sealed record KarpoClientConfig(string Server, string Token, string? AdminToken = null)
{
    public const string EnvironmentVariable = "KARPO_CONFIG";

    /// <summary>~/.config/karpo/config.json (XDG_CONFIG_HOME respected).</summary>
    public static string DefaultPath
    {
        get
        {
            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(config))
            {
                config = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            }

            return Path.Combine(config, "karpo", "config.json");
        }
    }

    /// <summary>The path in use: <c>$KARPO_CONFIG</c> when set, else <see cref="DefaultPath"/>.</summary>
    public static string ResolvePath() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } path ? path : DefaultPath;
}
