using System.Collections.Concurrent;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// Passes karpo's requests on to the real silo and notes what was asked of whom: the host karpo addressed, the path
/// with its query, and the Authorization header (the test server answers whatever host a request names).
/// </summary>
internal sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public ConcurrentQueue<(string Host, string PathAndQuery, string? Authorization)> Requests { get; } = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        Requests.Enqueue((uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}", uri.PathAndQuery, request.Headers.Authorization?.ToString()));
        return base.SendAsync(request, cancellationToken);
    }
}
