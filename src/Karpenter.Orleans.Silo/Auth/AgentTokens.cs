using System.Security.Cryptography;
using System.Text;

namespace Karpenter.Orleans.Silo.Auth;

/// <summary>Making tokens and the digest the fleet registry stores instead of them.</summary>
internal static class AgentTokens
{
    public const string AgentPrefix = "karpo_agent_";
    public const string AdminPrefix = "karpo_admin_";
    public const string ReadPrefix = "karpo_read_";

    /// <summary>256 random bits, URL-safe; the prefix lets secret scanners recognise a leaked token.</summary>
    public static string New(string prefix) => prefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Lower-case hex SHA-256 of the token's UTF-8 bytes, as IFleetGrain stores and looks it up.</summary>
    public static string Sha256Hex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
