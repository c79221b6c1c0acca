using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Karpenter.Orleans.Abstractions;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Karpenter.Orleans.Agent.Service;

/// <summary>
/// The agent's calls to the service's <c>/api/v1/clusters/{id}/...</c> API with the cluster's token. Connection
/// errors, timeouts, 5xx and 429 are retried with exponential backoff and jitter; after the last retry, and at
/// once on any other 4xx, a <see cref="ServiceRequestException"/> names the request and what the service said.
/// A 401 re-reads the token file once (the token may have been rotated) before it is reported.
/// </summary>
public sealed class KarpoServiceClient : IDisposable
{
    private const string ContinueHeader = "Karpo-Continue";
    private const int PageSize = 500;

    private readonly HttpClient _http;
    private readonly AgentTokenSource _token;
    private readonly string _clusterId;
    private readonly string _clusterPath;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ILogger<KarpoServiceClient> _logger;

    public KarpoServiceClient(AgentOptions options, ILogger<KarpoServiceClient> logger, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        _clusterId = options.ClusterId;
        _clusterPath = $"api/v1/clusters/{Uri.EscapeDataString(options.ClusterId)}";
        _token = new AgentTokenSource(options.TokenFile);
        var baseAddress = options.ServiceUrl ?? throw new InvalidOperationException($"{AgentOptions.Section}:ServiceUrl is required");
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = new Uri(baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress.AbsoluteUri : baseAddress.AbsoluteUri + "/"),
            // Each attempt has its own timeout in the pipeline.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.ServiceRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.ServiceRetryDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.TooManyRequests),
                OnRetry = args =>
                {
                    var request = args.Context.Properties.GetValue(RequestKey, "request");
                    _logger.LogDebug(
                        "{Request} failed ({Reason}); retry {Attempt} in {Delay}",
                        request,
                        args.Outcome.Exception?.GetType().Name ?? ((int)args.Outcome.Result!.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        args.AttemptNumber + 1,
                        args.RetryDelay);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddTimeout(options.ServiceRequestTimeout)
            .Build();
    }

    private static readonly ResiliencePropertyKey<string> RequestKey = new("karpo.request");

    /// <summary>PUT .../state: replaces the service's view of the cluster.</summary>
    public Task<SyncResult> PutStateAsync(ClusterSnapshot snapshot, CancellationToken cancellationToken) =>
        SendAsync<SyncResult>(HttpMethod.Put, "state", () => JsonContent.Create(snapshot, options: AgentJson.Options), cancellationToken);

    /// <summary>POST .../deltas: changes since the last snapshot or batch.</summary>
    public Task<SyncResult> PostDeltasAsync(DeltaBatch batch, CancellationToken cancellationToken) =>
        SendAsync<SyncResult>(HttpMethod.Post, "deltas", () => JsonContent.Create(batch, options: AgentJson.Options), cancellationToken);

    /// <summary>GET .../commands: the commands not yet acknowledged.</summary>
    public async Task<IReadOnlyList<ClusterCommand>> GetCommandsAsync(CancellationToken cancellationToken) =>
        await SendAsync<ClusterCommand[]>(HttpMethod.Get, "commands", null, cancellationToken);

    /// <summary>POST .../commands/acks.</summary>
    public Task<CommandAckResult> AcknowledgeAsync(IReadOnlyList<CommandAck> acks, CancellationToken cancellationToken) =>
        SendAsync<CommandAckResult>(HttpMethod.Post, "commands/acks", () => JsonContent.Create(acks, options: AgentJson.Options), cancellationToken);

    /// <summary>GET .../nodeclaims, every page.</summary>
    public Task<IReadOnlyList<NodeClaimInfo>> GetNodeClaimsAsync(CancellationToken cancellationToken) =>
        GetAllPagesAsync<NodeClaimInfo>("nodeclaims", cancellationToken);

    /// <summary>GET .../pending, every page.</summary>
    public Task<IReadOnlyList<PendingPod>> GetPendingAsync(CancellationToken cancellationToken) =>
        GetAllPagesAsync<PendingPod>("pending", cancellationToken);

    /// <summary>GET .../nodepools.</summary>
    public async Task<IReadOnlyList<NodePoolStatus>> GetNodePoolsAsync(CancellationToken cancellationToken) =>
        await SendAsync<NodePoolStatus[]>(HttpMethod.Get, "nodepools", null, cancellationToken);

    /// <summary>GET .../nodeclasses: the node classes the service accepted, with what its provider resolved.</summary>
    public async Task<IReadOnlyList<NodeClassInfo>> GetNodeClassesAsync(CancellationToken cancellationToken) =>
        await SendAsync<NodeClassInfo[]>(HttpMethod.Get, "nodeclasses", null, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<IReadOnlyList<T>> GetAllPagesAsync<T>(string list, CancellationToken cancellationToken)
    {
        var all = new List<T>();
        string? next = null;
        do
        {
            var path = $"{list}?limit={PageSize}" + (next is null ? string.Empty : $"&continue={Uri.EscapeDataString(next)}");
            var (page, headers) = await SendCoreAsync<T[]>(HttpMethod.Get, path, null, cancellationToken);
            all.AddRange(page);
            next = headers.TryGetValues(ContinueHeader, out var values) ? values.FirstOrDefault() : null;
        }
        while (next is { Length: > 0 });

        return all;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, Func<HttpContent>? content, CancellationToken cancellationToken) =>
        (await SendCoreAsync<T>(method, path, content, cancellationToken)).Body;

    private async Task<(T Body, HttpResponseHeaders Headers)> SendCoreAsync<T>(HttpMethod method, string path, Func<HttpContent>? content, CancellationToken cancellationToken)
    {
        var relative = $"{_clusterPath}/{path}";
        var name = $"{method} /{relative.Split('?')[0]}";
        for (var attempt = 0; ; attempt++)
        {
            using var response = await SendWithRetriesAsync(method, relative, name, content, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadFromJsonAsync<T>(AgentJson.Options, cancellationToken)
                    ?? throw new ServiceRequestException(name, response.StatusCode, $"{name}: the service answered an empty body");
                return (body, response.Headers);
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                // The Secret may have been rotated since the token was read: read it again and try once more.
                _token.Invalidate();
                continue;
            }

            throw await RefusedAsync(name, response, cancellationToken);
        }
    }

    private async Task<HttpResponseMessage> SendWithRetriesAsync(HttpMethod method, string relative, string name, Func<HttpContent>? content, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, name);
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        using var request = new HttpRequestMessage(state.method, state.relative) { Content = state.content?.Invoke() };
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", state.self._token.Current());
                        return Outcome.FromResult(await state.self._http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ctx.CancellationToken));
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException || !state.cancellationToken.IsCancellationRequested)
                    {
                        return Outcome.FromException<HttpResponseMessage>(exception);
                    }
                },
                context,
                (self: this, method, relative, content, cancellationToken));
            if (outcome.Exception is { } exception)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw exception is InvalidOperationException
                    ? exception
                    : new ServiceRequestException(name, null, $"{name}: the service at {_http.BaseAddress} could not be reached ({exception.GetType().Name}: {exception.Message})", exception);
            }

            var response = outcome.Result!;
            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                using (response)
                {
                    throw await RefusedAsync(name, response, cancellationToken);
                }
            }

            return response;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task<ServiceRequestException> RefusedAsync(string name, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return new ServiceRequestException(name, response.StatusCode,
                $"{name}: the service refused the agent's token (401): {AgentOptions.Section}:TokenFile '{_token.Path}' must hold the token printed by 'karpo cluster register' for cluster '{_clusterId}'");
        }

        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            return new ServiceRequestException(name, response.StatusCode,
                $"{name}: the agent's token is not allowed here (403): it belongs to another cluster than '{_clusterId}'?");
        }

        if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            return new ServiceRequestException(name, response.StatusCode,
                $"{name}: the body is larger than the service accepts (413): raise the service's Karpo:Api:MaxRequestBodyBytes or lower {AgentOptions.Section}:BatchSize");
        }

        var said = await ReadErrorAsync(response, cancellationToken);
        return new ServiceRequestException(name, response.StatusCode, $"{name}: the service answered {status} {response.ReasonPhrase}{(said is null ? string.Empty : $": {said}")}");
    }

    private static async Task<string?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            var error = JsonSerializer.Deserialize<ApiError>(text, AgentJson.Options);
            if (error?.Error is { Length: > 0 })
            {
                return error.Field is null ? error.Error : $"{error.Error} (field {error.Field})";
            }
        }
        catch (JsonException)
        {
            // Not the API's error shape (a proxy's page, say): say what it was, briefly.
        }

        return text.Length > 300 ? text[..300] + "..." : text;
    }
}
