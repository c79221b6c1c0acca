namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>How karpo shows a token it holds: enough to tell two apart, never enough to use.</summary>
internal static class TokenMask
{
    private const int Shown = 4;
    private const int ShortestShown = 16;

    /// <summary>The first four characters and the length (<c>karp…(54)</c>); a short token shows none; no token is "-".</summary>
    public static string Mask(string? token) =>
        string.IsNullOrEmpty(token) ? "-"
        : token.Length < ShortestShown ? $"…({token.Length})"
        : $"{token[..Shown]}…({token.Length})";
}
