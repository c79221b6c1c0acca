using System.Text.Json;

namespace Karpenter.Orleans.Silo.Auth;

/// <summary>
/// Decides which admin and read tokens are in force: the configured ones, or (when none are configured)
/// the ones generated on first start and kept in <see cref="KarpoAuthOptions.TokensPath"/>.
/// </summary>
internal static class ApiTokensFactory
{
    private static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static ApiTokens Create(KarpoAuthOptions options, ILogger logger)
    {
        var admin = string.IsNullOrWhiteSpace(options.AdminToken) ? null : options.AdminToken.Trim();
        var reads = options.ReadTokens.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToList();
        if (admin is not null || reads.Count > 0)
        {
            return new ApiTokens(admin, reads, generated: false);
        }

        var stored = Load(options.TokensPath, logger);
        if (stored is null)
        {
            stored = new StoredTokens(AgentTokens.New(AgentTokens.AdminPrefix), AgentTokens.New(AgentTokens.ReadPrefix));
            PrivateFile.WriteAllText(options.TokensPath, JsonSerializer.Serialize(stored, FileJson));
            logger.LogInformation("Generated an admin and a read token in {TokensPath}", Path.GetFullPath(options.TokensPath));
        }

        return new ApiTokens(stored.AdminToken, [stored.ReadToken], generated: true);
    }

    private static StoredTokens? Load(string path, ILogger logger)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var stored = JsonSerializer.Deserialize<StoredTokens>(File.ReadAllText(path), FileJson);
            if (stored is { AdminToken.Length: > 0, ReadToken.Length: > 0 })
            {
                PrivateFile.Restrict(path);
                return stored;
            }
        }
        catch (JsonException)
        {
            // Unreadable: replaced below, like a missing file.
        }

        logger.LogWarning("{TokensPath} is not a valid tokens file; generating new tokens", Path.GetFullPath(path));
        return null;
    }

    /// <summary>The tokens file's content.</summary>
    private sealed record StoredTokens(string AdminToken, string ReadToken);
}
