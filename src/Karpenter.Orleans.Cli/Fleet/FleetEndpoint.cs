using System.Text.Json;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// Which server karpo talks to and with which token, and where each came from, resolved the way kubectl does:
/// flags, then environment variables, then the config file the embedded silo writes on first start.
/// </summary>
internal sealed record FleetEndpoint(Uri Server, string ServerSource, string? Token, string? TokenSource, string ConfigPath)
{
    public const string ServerVariable = "KARPO_SERVER";
    public const string TokenVariable = "KARPO_TOKEN";
    public const string ServerFlag = "--server";
    public const string TokenFlag = "--token";
    public const string StartHint = "dotnet run --project src/Karpenter.Orleans.Silo";

    /// <summary>The server as printed in messages: scheme, host, port and path, never user info.</summary>
    public string DisplayServer => Display(Server);

    /// <summary>Where karpo looked for a token, for the message when the server refuses it.</summary>
    public string TokenPlaces => $"{TokenFlag}, ${TokenVariable}, {ConfigPath}";

    public static FleetEndpoint Resolve(string? serverFlag, string? tokenFlag, FleetEnvironment environment)
    {
        var configPath = environment.GetVariable(KarpoClientConfig.EnvironmentVariable) is { Length: > 0 } path
            ? path
            : KarpoClientConfig.DefaultPath;
        var serverVariable = NonEmpty(environment.GetVariable(ServerVariable));
        var tokenVariable = NonEmpty(environment.GetVariable(TokenVariable));
        serverFlag = NonEmpty(serverFlag);
        tokenFlag = NonEmpty(tokenFlag);

        // The file is only read when a flag or variable leaves something to find, so a broken file does not
        // get in the way of a fully specified command line.
        var config = (serverFlag ?? serverVariable) is null || (tokenFlag ?? tokenVariable) is null
            ? ReadConfig(configPath)
            : null;
        var configServer = NonEmpty(config?.Server);

        var (serverText, serverSource) = serverFlag is not null ? (serverFlag, ServerFlag)
            : serverVariable is not null ? (serverVariable, "$" + ServerVariable)
            : configServer is not null ? (configServer, configPath)
            : throw new FleetException(
                $"no karpo server configured: start the service with `{StartHint}` (it writes {configPath}), " +
                $"or pass {ServerFlag} URL or set ${ServerVariable}");
        var server = ParseServer(serverText)
            ?? throw new FleetException($"the server '{serverText}' from {serverSource} is not an http:// or https:// URL");

        // The config file's token belongs to the config file's server: never send it to another one a flag or variable named.
        var configToken = configServer is not null && ParseServer(configServer) is { } own && SameServer(own, server)
            ? NonEmpty(config?.Token) ?? NonEmpty(config?.AdminToken)
            : null;
        var (token, tokenSource) = tokenFlag is not null ? (tokenFlag, TokenFlag)
            : tokenVariable is not null ? (tokenVariable, "$" + TokenVariable)
            : configToken is not null ? (configToken, configPath)
            : ((string?)null, (string?)null);

        return new FleetEndpoint(server, serverSource, token, tokenSource, configPath);
    }

    /// <summary>An absolute http(s) URL, or null; used by the <c>--server</c> validator too.</summary>
    public static Uri? ParseServer(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : null;

    /// <summary>The URL of an API path under the server, keeping any path prefix the server URL has (a reverse proxy's).</summary>
    public Uri Resolve(string relative)
    {
        var root = Display(Server);
        return new Uri(new Uri(root.EndsWith('/') ? root : root + "/"), relative);
    }

    private static string Display(Uri uri) =>
        uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/');

    private static bool SameServer(Uri a, Uri b) => string.Equals(Display(a), Display(b), StringComparison.OrdinalIgnoreCase);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static KarpoClientConfig? ReadConfig(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<KarpoClientConfig>(File.ReadAllText(path), FleetJson.Options);
        }
        catch (JsonException ex)
        {
            // JsonException messages give the position, not the text, so no token leaks into the message.
            throw new FleetException($"the config file {path} is not valid JSON: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetException($"cannot read the config file {path}: {ex.Message}");
        }
    }
}
