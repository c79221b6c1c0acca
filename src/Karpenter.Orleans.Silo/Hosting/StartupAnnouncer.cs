using System.Text.Json;
using System.Text.Json.Nodes;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Api;
using Karpenter.Orleans.Silo.Auth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Hosting;

/// <summary>
/// Once the server listens: writes the karpo client config (so <c>karpo clusters</c> works without flags on
/// the embedded default) and logs one line saying where the service, the dashboard and that config are.
/// Settles the tokens at start, so a generated tokens file exists before the first request.
/// </summary>
internal sealed class StartupAnnouncer(
    ApiTokens tokens,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<KarpoAuthOptions> auth,
    IOptions<KarpoApiOptions> api,
    IOptions<KarpoDashboardOptions> dashboard,
    ILogger<StartupAnnouncer> logger) : IHostedService
{
    private static readonly JsonSerializerOptions ConfigJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Announce);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Announce()
    {
        var url = ClientUrl();
        var dashboardText = dashboard.Value.Enabled ? $"{url}{DashboardLogin.Path}, admin token" : "off";
        var configPath = WriteClientConfig(url);
        if (configPath is null)
        {
            logger.LogInformation("Karpenter.Orleans is up at {Url} (dashboard {Dashboard})", url, dashboardText);
        }
        else
        {
            logger.LogInformation(
                "Karpenter.Orleans is up at {Url} (dashboard {Dashboard}); karpo reads its server and token from {ClientConfig}",
                url,
                dashboardText,
                configPath);
        }
    }

    private string? WriteClientConfig(string url)
    {
        var options = auth.Value;
        if (!(options.WriteClientConfig ?? tokens.Generated))
        {
            return null;
        }

        var path = Path.GetFullPath(string.IsNullOrWhiteSpace(options.ClientConfigPath) ? KarpoClientConfig.ResolvePath() : options.ClientConfigPath);
        var token = tokens.ReadToken ?? tokens.AdminToken;
        if (token is null)
        {
            return null;
        }

        try
        {
            // A config pointing at another server is the user's; only ours is refreshed.
            if (File.Exists(path) && ReadServer(path) is { } existing && !string.Equals(existing, url, StringComparison.OrdinalIgnoreCase))
            {
                logger.LogInformation("Left {ClientConfig} alone: it points at {Server}, not this silo", path, existing);
                return null;
            }

            // karpo keeps its other contexts in the same file; refreshing ours must not drop them.
            var config = ReadObject(path) ?? [];
            config["server"] = url;
            config["token"] = token;
            config["adminToken"] = tokens.AdminToken;
            PrivateFile.WriteAllText(path, config.ToJsonString(ConfigJson));
            return path;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not write the karpo client config {ClientConfig}: {Reason}", path, exception.Message);
            return null;
        }
    }

    private static string? ReadServer(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<KarpoClientConfig>(File.ReadAllText(path), ConfigJson)?.Server;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonObject? ReadObject(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (JsonException)
        {
            // A broken file is replaced, as before contexts existed.
            return null;
        }
    }

    private string ClientUrl() => LocalServiceUrl.Resolve(server, api.Value.DefaultUrl);
}
