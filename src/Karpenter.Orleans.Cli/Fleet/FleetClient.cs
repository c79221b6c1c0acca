using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// Requests to the fleet API (GETs, and the admin commands' POST, PUT and DELETE) that either return the typed answer or throw a <see cref="FleetException"/> whose
/// message says, in one line, what went wrong and what to do. The token is sent, never printed.
/// </summary>
internal sealed class FleetClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private const int MaxBodyInMessage = 200;
    private const string ContinueHeader = "Karpo-Continue";

    private readonly FleetEndpoint _endpoint;
    private readonly HttpClient _http;

    public FleetClient(FleetEndpoint endpoint, HttpMessageHandler? handler)
    {
        _endpoint = endpoint;
        // A handler passed in (a test server's) belongs to its owner and outlives this client.
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = RequestTimeout;
    }

    /// <summary>GET <paramref name="relative"/> (under the server URL) as <typeparamref name="T"/>.</summary>
    /// <param name="relative">Path and query, e.g. <c>api/v1/pending?cluster=a</c>.</param>
    /// <param name="action">What the request does, for the 403 message ("list clusters").</param>
    /// <param name="cluster">The cluster the request names, if any: a 404 then means that cluster does not exist.</param>
    public T Get<T>(string relative, string action, string? cluster)
        where T : class =>
        // Commands run synchronously; the awaits below never resume on a captured context, so blocking is safe.
        GetAsync<T>(relative, action, cluster).GetAwaiter().GetResult();

    /// <summary>
    /// GET a paged list (see docs/api.md, "Paging") to its end: follows the <c>Karpo-Continue</c> header of each
    /// page, so the command shows every item however many pages the server splits them into.
    /// </summary>
    public T[] GetAll<T>(string relative, string action, string? cluster) =>
        GetAllAsync<T>(relative, action, cluster).GetAwaiter().GetResult();

    /// <summary>POST <paramref name="body"/> as JSON and read the answer as <typeparamref name="T"/>.</summary>
    public T Post<T>(string relative, object body, string action, string? cluster)
        where T : class =>
        SendAsync<T>(HttpMethod.Post, relative, body, action, cluster, read: true).GetAwaiter().GetResult().Value!;

    /// <summary>PUT <paramref name="body"/> as JSON; the answer's body, if any, is not read.</summary>
    public void Put(string relative, object body, string action, string? cluster) =>
        SendAsync<object>(HttpMethod.Put, relative, body, action, cluster, read: false).GetAwaiter().GetResult();

    public void Delete(string relative, string action, string? cluster) =>
        SendAsync<object>(HttpMethod.Delete, relative, null, action, cluster, read: false).GetAwaiter().GetResult();

    public void Dispose() => _http.Dispose();

    private async Task<T[]> GetAllAsync<T>(string relative, string action, string? cluster)
    {
        var items = new List<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var url = token is null ? relative : $"{relative}{(relative.Contains('?', StringComparison.Ordinal) ? '&' : '?')}continue={Uri.EscapeDataString(token)}";
            var (page, next) = await SendAsync<T[]>(HttpMethod.Get, url, null, action, cluster, read: true).ConfigureAwait(false);
            items.AddRange(page!);

            // A server that hands out the same token twice would keep karpo looping forever.
            if (next is not null && !seen.Add(next))
            {
                throw new FleetException($"{_endpoint.DisplayServer} answered GET /{relative.Split('?')[0]} with a continue token it had already given; the listing would never end");
            }

            token = next;
        }
        while (token is not null);

        return [.. items];
    }

    private async Task<T> GetAsync<T>(string relative, string action, string? cluster)
        where T : class =>
        (await SendAsync<T>(HttpMethod.Get, relative, null, action, cluster, read: true).ConfigureAwait(false)).Value!;

    private async Task<(T? Value, string? Continue)> SendAsync<T>(HttpMethod method, string relative, object? body, string action, string? cluster, bool read)
    {
        var server = _endpoint.DisplayServer;
        using var request = new HttpRequestMessage(method, _endpoint.Resolve(relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, FleetJson.Options), System.Text.Encoding.UTF8, "application/json");
        }

        if (_endpoint.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new FleetException(Unreachable(ex, server));
        }
        catch (TaskCanceledException)
        {
            throw new FleetException($"no answer from {server} within {RequestTimeout.TotalSeconds:0}s");
        }

        using (response)
        {
            var answer = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            var path = "/" + relative.Split('?')[0];
            if (!response.IsSuccessStatusCode)
            {
                throw new FleetException(Refused(response, answer, action, cluster, path));
            }

            if (!read)
            {
                return (default, null);
            }

            try
            {
                var next = response.Headers.TryGetValues(ContinueHeader, out var values) ? values.FirstOrDefault(v => v.Length > 0) : null;
                var value = JsonSerializer.Deserialize<T>(answer, FleetJson.Options) ?? throw new JsonException("the answer is null");
                return (value, next);
            }
            catch (JsonException)
            {
                var contentType = response.Content.Headers.ContentType?.MediaType ?? "no content type";
                throw new FleetException(
                    $"{server} answered {method} {path} with {(int)response.StatusCode} but not the expected JSON ({contentType}): {Excerpt(answer)}. Is {server} a karpo service?");
            }
        }
    }

    private static string Unreachable(HttpRequestException ex, string server)
    {
        switch (ex.HttpRequestError)
        {
            case HttpRequestError.ConnectionError:
                var why = ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "connection refused" : ex.Message;
                return $"cannot connect to {server} ({why}); is the service running? Start it with `{FleetEndpoint.StartHint}` or pass {FleetEndpoint.ServerFlag}";
            case HttpRequestError.NameResolutionError:
                return $"cannot resolve the host of {server}; check {FleetEndpoint.ServerFlag}, ${FleetEndpoint.ServerVariable} or the config file";
            default:
                return $"cannot reach {server}: {ex.Message}";
        }
    }

    private string Refused(HttpResponseMessage response, string body, string action, string? cluster, string path)
    {
        var server = _endpoint.DisplayServer;
        var status = (int)response.StatusCode;
        var apiError = ReadApiError(body);
        var detail = apiError is null ? "" : $": {apiError.Error}";
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized when _endpoint.Token is null:
                return $"{server} requires a token and karpo found none (karpo looked in: {_endpoint.TokenPlaces})";
            case HttpStatusCode.Unauthorized:
                return $"the server {server} rejected the token from {_endpoint.TokenSource} (karpo looked in: {_endpoint.TokenPlaces})";
            case HttpStatusCode.Forbidden:
                return $"this token (from {_endpoint.TokenSource}) may not {action} on {server}{detail}";
            case HttpStatusCode.NotFound when cluster is not null:
                return $"cluster '{cluster}' not found on {server}";
            case HttpStatusCode.NotFound:
                return $"{server} has no {path} (404){detail}; is it a karpo service of this version?";
            default:
                if (status is >= 400 and < 500)
                {
                    var field = apiError?.Field is { Length: > 0 } f ? $" (field '{f}')" : "";
                    return $"{server} rejected the request ({status} {response.ReasonPhrase}){(apiError is null ? ": " + Excerpt(body) : detail)}{field}";
                }

                return $"{server} failed to {action} ({status} {response.ReasonPhrase}){(apiError is null ? (body.Length == 0 ? "" : ": " + Excerpt(body)) : detail)}";
        }
    }

    private static ApiError? ReadApiError(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<ApiError>(body, FleetJson.Options) is { Error.Length: > 0 } error ? error : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // One line, short: an HTML error page must not flood the terminal.
    private static string Excerpt(string body)
    {
        var line = string.Join(' ', body.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (line.Length == 0)
        {
            return "empty body";
        }

        return line.Length <= MaxBodyInMessage ? line : line[..MaxBodyInMessage] + "...";
    }
}
