using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Karpenter.Orleans.Agent.Streaming;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Agent.Kubernetes;

/// <summary>
/// Lists one resource, then watches it from the list's resourceVersion (with bookmarks, so the version it resumes
/// from stays recent), feeding every change to the <see cref="ClusterMirror"/>. A watch the server ends is
/// resumed from the last version seen; 410 Gone means that version is too old and the resource is listed again
/// (the mirror diffs the new list against what it holds). Other failures back off and try again; a CRD that is
/// not installed is looked for again later with one log line. Runs until cancelled, never throws otherwise.
/// </summary>
public sealed class ResourceWatcher(WatchedResource resource, k8s.Kubernetes client, ClusterMirror mirror, AgentOptions options, ILogger logger)
{
    private const int PageSize = 500;

    /// <summary>The last resourceVersion seen (list, event or bookmark); null before the first list and after a 410.</summary>
    public string? ResourceVersion { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        var missing = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (ResourceVersion is null)
                {
                    ResourceVersion = await ListAsync(cancellationToken);
                    if (missing)
                    {
                        logger.LogInformation("{Path} is served now: its objects are watched", resource.Path);
                        missing = false;
                    }
                }

                await WatchAsync(cancellationToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (KubeStatusException gone) when (gone.Code == (int)HttpStatusCode.Gone)
            {
                logger.LogInformation("{Path}: resourceVersion {Version} is too old (410 Gone); listing again", resource.Path, ResourceVersion);
                ResourceVersion = null;
            }
            catch (KubeStatusException notFound) when (notFound.Code == (int)HttpStatusCode.NotFound && resource.Optional && ResourceVersion is null)
            {
                if (!missing)
                {
                    logger.LogWarning(
                        "{Path} is not served (its CRD is not installed?): the service sees no {Kind} objects; looking again every {Interval}",
                        resource.Path, resource.Kind, options.MissingResourceRetryInterval);
                    missing = true;
                    mirror.Replace(resource.Kind, []);
                }

                await DelayAsync(options.MissingResourceRetryInterval, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures++;
                var delay = Backoff.Delay(options.ServiceRetryDelay, options.MaxRetryDelay, failures);
                logger.LogWarning("{Path}: {Error}; trying again in {Delay}", resource.Path, exception.Message, delay);
                await DelayAsync(delay, cancellationToken);
            }
        }
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The loop checks the token.
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<KeyValuePair<ObjectKey, string>>();
        string? version = null;
        string? next = null;
        do
        {
            var query = $"limit={PageSize}" + (next is null ? string.Empty : $"&continue={Uri.EscapeDataString(next)}");
            using var response = await SendAsync(query, HttpCompletionOption.ResponseContentRead, cancellationToken);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var list = await JsonNode.ParseAsync(body, cancellationToken: cancellationToken) as JsonObject
                ?? throw new KubeStatusException(0, $"{resource.Path}: the list is not a JSON object");
            foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (Slim(item) is { } slim)
                {
                    items.Add(slim);
                }
            }

            // Every page of one list is served at the first page's version.
            version ??= (string?)list["metadata"]?["resourceVersion"];
            next = (string?)list["metadata"]?["continue"];
        }
        while (next is { Length: > 0 });

        mirror.Replace(resource.Kind, items);
        logger.LogDebug("{Path}: listed {Count} objects at resourceVersion {Version}", resource.Path, items.Count, version);
        return version ?? throw new KubeStatusException(0, $"{resource.Path}: the list has no metadata.resourceVersion");
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var query = string.Create(
            CultureInfo.InvariantCulture,
            $"watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(ResourceVersion!)}&timeoutSeconds={(int)options.WatchTimeout.TotalSeconds}");
        using var response = await SendAsync(query, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(body);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var watchEvent = JsonNode.Parse(line) as JsonObject;
            var type = (string?)watchEvent?["type"];
            if (watchEvent?["object"] is not JsonObject obj)
            {
                continue;
            }

            switch (type)
            {
                case "ADDED" or "MODIFIED":
                    if (Slim(obj) is { } slim)
                    {
                        mirror.Upsert(slim.Key, slim.Value);
                    }

                    break;
                case "DELETED":
                    if (Key(obj) is { } key)
                    {
                        mirror.Delete(key);
                    }

                    break;
                case "ERROR":
                    var code = obj["code"] is JsonValue c && c.TryGetValue<int>(out var n) ? n : 0;
                    throw new KubeStatusException(code, $"{resource.Path}: the watch ended with {code} {(string?)obj["reason"]}: {(string?)obj["message"]}");
                case "BOOKMARK":
                    break;
                default:
                    logger.LogDebug("{Path}: ignored a watch event of type {Type}", resource.Path, type);
                    continue;
            }

            if ((string?)obj["metadata"]?["resourceVersion"] is { Length: > 0 } version)
            {
                ResourceVersion = version;
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string query, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, $"{resource.Path}?{query}"));
        try
        {
            if (client.Credentials is { } credentials)
            {
                await credentials.ProcessHttpRequestAsync(request, cancellationToken);
            }

            var response = await client.HttpClient.SendAsync(request, completion, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                var message = TryStatusMessage(text) ?? response.ReasonPhrase;
                throw new KubeStatusException((int)response.StatusCode, $"GET /{resource.Path} answered {(int)response.StatusCode}: {message}");
            }
        }
        finally
        {
            request.Dispose();
        }
    }

    private static string? TryStatusMessage(string text)
    {
        try
        {
            return (string?)(JsonNode.Parse(text) as JsonObject)?["message"];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private KeyValuePair<ObjectKey, string>? Slim(JsonObject obj) =>
        Key(obj) is { } key ? new(key, ObjectSlimmer.Slim(resource.Kind, obj).ToJsonString()) : null;

    private ObjectKey? Key(JsonObject obj)
    {
        if ((string?)obj["metadata"]?["name"] is not { Length: > 0 } name)
        {
            logger.LogWarning("{Path}: an object without metadata.name was ignored", resource.Path);
            return null;
        }

        return new ObjectKey(resource.Kind, resource.Namespaced ? (string?)obj["metadata"]?["namespace"] ?? "default" : null, name);
    }
}
