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

    public const string ContextFlag = "--context";

    /// <summary>The path of the client config: <c>$KARPO_CONFIG</c>, else the default path.</summary>
    public static string ConfigPathOf(FleetEnvironment environment) =>
        environment.GetVariable(KarpoClientConfig.EnvironmentVariable) is { Length: > 0 } path ? path : KarpoClientConfig.DefaultPath;

    /// <summary>
    /// Resolves the server and token: the flags first; then the context <c>--context</c> names, when given; then the
    /// environment variables; then the config file's current context. <paramref name="admin"/> prefers a context's
    /// admin token (the admin commands), otherwise its read token is preferred.
    /// </summary>
    public static FleetEndpoint Resolve(string? serverFlag, string? tokenFlag, string? contextFlag, bool admin, FleetEnvironment environment)
    {
        var configPath = ConfigPathOf(environment);
        contextFlag = NonEmpty(contextFlag);
        serverFlag = NonEmpty(serverFlag);
        tokenFlag = NonEmpty(tokenFlag);

        // An explicit --context beats the variables, as kubectl's --context beats the kubeconfig's current context.
        var serverVariable = contextFlag is null ? NonEmpty(environment.GetVariable(ServerVariable)) : null;
        var tokenVariable = contextFlag is null ? NonEmpty(environment.GetVariable(TokenVariable)) : null;

        // The file is only read when a flag or variable leaves something to find, so a broken file does not
        // get in the way of a fully specified command line.
        var context = contextFlag is not null || (serverFlag ?? serverVariable) is null || (tokenFlag ?? tokenVariable) is null
            ? ClientConfigFile.Read(configPath).Select(contextFlag)
            : null;
        var contextSource = context is null ? configPath
            : context.Name == KarpoContext.DefaultName && contextFlag is null ? configPath
            : $"context '{context.Name}' in {configPath}";
        var configServer = NonEmpty(context?.Server);

        var (serverText, serverSource) = serverFlag is not null ? (serverFlag, ServerFlag)
            : serverVariable is not null ? (serverVariable, "$" + ServerVariable)
            : configServer is not null ? (configServer, contextSource)
            : throw new FleetException(context is null
                ? $"no karpo server configured: start the service with `{StartHint}` (it writes {configPath}), " +
                  $"or pass {ServerFlag} URL or set ${ServerVariable}"
                : $"{contextSource} has no server: set one with `karpo config set-context {context.Name} --server URL`, or pass {ServerFlag} URL");
        var server = ParseServer(serverText)
            ?? throw new FleetException($"the server '{serverText}' from {serverSource} is not an http:// or https:// URL");

        // The context's token belongs to the context's server: never send it to another one a flag or variable named.
        var configToken = configServer is not null && ParseServer(configServer) is { } own && SameServer(own, server)
            ? admin
                ? NonEmpty(context?.AdminToken) ?? NonEmpty(context?.Token)
                : NonEmpty(context?.Token) ?? NonEmpty(context?.AdminToken)
            : null;
        var (token, tokenSource) = tokenFlag is not null ? (tokenFlag, TokenFlag)
            : tokenVariable is not null ? (tokenVariable, "$" + TokenVariable)
            : configToken is not null ? (configToken, contextSource)
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
}
