using System.Net;
using System.Text;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// A server that is not (or no longer) a working karpo service: every request gets one fixed answer, such as a 503
/// from a proxy or an nginx welcome page. Only the CLI's handling of such answers is tested with it; everything the
/// API itself answers is tested against the real silo.
/// </summary>
internal sealed class BrokenServer(HttpStatusCode status, string contentType, string body) : HttpMessageHandler
{
    public int Requests { get; private set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests++;
        return Task.FromResult(new HttpResponseMessage(status)
        {
            RequestMessage = request,
            Content = new StringContent(body, Encoding.UTF8, contentType),
        });
    }
}
