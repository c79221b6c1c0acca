using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// An in-process Kubernetes API server on 127.0.0.1 that the real KubernetesClient and the real
/// kubectl talk to: discovery, CRUD, list and watch with resourceVersions, bookmarks and 410
/// Gone, merge/strategic/JSON patches and server-side apply, status and eviction subresources,
/// PodDisruptionBudgets, Leases and CustomResourceDefinitions. Start one per test with
/// <see cref="StartAsync"/>; see docs/kubernetes-api-server.md for what it simplifies.
/// </summary>
public sealed class KubeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ObjectStore _store;
    private readonly KubeApiServerOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private Task _bookmarks = Task.CompletedTask;
    private ApiRequestHandler? _handler;

    private KubeApiServer(WebApplication app, ObjectStore store, KubeApiServerOptions options, X509Certificate2 certificate)
    {
        Certificate = certificate;
        _app = app;
        _store = store;
        _options = options;
    }

    /// <summary>Where the server listens, e.g. https://127.0.0.1:41234.</summary>
    public Uri BaseAddress { get; private set; } = new("https://127.0.0.1");

    /// <summary>The server's self-signed certificate, which is also the CA clients trust.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The store's current resourceVersion (the last change's).</summary>
    public long ResourceVersion => _store.ResourceVersion;

    /// <summary>Every request served so far, as "METHOD /path?query", oldest first.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Starts a server with the default namespaces (default, kube-system, kube-public, kube-node-lease).</summary>
    public static async Task<KubeApiServer> StartAsync(KubeApiServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubeApiServerOptions();
        if (options.HistoryLimit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.HistoryLimit, "KubeApiServerOptions.HistoryLimit must be at least 1");
        }

        var store = new ObjectStore(new ResourceRegistry(), options.TimeProvider, options.HistoryLimit, options.GracefulPodDeletion);
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            store.Seed(ResourceRegistry.Namespaces, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } });
        }

        var certificate = ServingCertificate.Create();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port, listen => listen.UseHttps(certificate));
            k.AddServerHeader = false;
        });
        builder.Services.AddSingleton(store);
        var app = builder.Build();
        var server = new KubeApiServer(app, store, options, certificate);
        var handler = new ApiRequestHandler(store, options, () => server.BaseAddress.Authority, server.Log);
        server._handler = handler;
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        server._bookmarks = server.SendBookmarksPeriodicallyAsync();
        return server;
    }

    /// <summary>A KubernetesClient configuration for this server, with <paramref name="token"/> as bearer token.</summary>
    public KubernetesClientConfiguration ClientConfiguration(string? token = null) => new()
    {
        Host = BaseAddress.ToString().TrimEnd('/'),
        AccessToken = token ?? _options.BearerTokens.FirstOrDefault(),
        SslCaCerts = [X509CertificateLoader.LoadCertificate(Certificate.RawData)],
    };

    /// <summary>A KubernetesClient for this server.</summary>
    public k8s.Kubernetes CreateClient(string? token = null) => new(ClientConfiguration(token));

    /// <summary>Writes a kubeconfig file (cluster, user with the token, current context "karpo") for kubectl.</summary>
    public void WriteKubeconfig(string path, string? token = null)
    {
        token ??= _options.BearerTokens.FirstOrDefault();
        var lines = new List<string>
        {
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: karpo",
            "  cluster:",
            $"    server: {BaseAddress.ToString().TrimEnd('/')}",
            $"    certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(Certificate.ExportCertificatePem()))}",
            "users:",
            "- name: karpo",
            "  user:",
        };
        lines.Add(token is null ? "    {}" : $"    token: \"{token}\"");
        lines.AddRange(["contexts:", "- name: karpo", "  context:", "    cluster: karpo", "    user: karpo", "    namespace: default", "current-context: karpo", ""]);
        File.WriteAllText(path, string.Join('\n', lines));
    }

    /// <summary>Ends every open watch cleanly, as an API server restart does; returns how many were open.</summary>
    public int CloseWatches() => _store.CloseWatches();

    /// <summary>Forgets the change history: a watch or continue from an earlier resourceVersion now gets 410 Gone.</summary>
    public void CompactHistory() => _store.CompactHistory();

    /// <summary>
    /// Makes requests fail until cleared (null): <paramref name="rule"/> gets "METHOD /path?query"
    /// and returns the HTTP status to answer with (as a Status object: 429, 500, 503...) or null to
    /// serve the request. For testing a client's retries and backoff.
    /// </summary>
    public void InjectFaults(Func<string, int?>? rule) => _handler!.Faults = rule;

    /// <summary>Sends a BOOKMARK at the current resourceVersion to every watch that allows bookmarks, now.</summary>
    public void SendBookmarks() => _store.SendBookmarks();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _store.CloseWatches();
        try
        {
            await _bookmarks;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
        Certificate.Dispose();
    }

    private void Log(string request)
    {
        _requests.Enqueue(request);
        while (_requests.Count > 10_000 && _requests.TryDequeue(out _))
        {
        }
    }

    private async Task SendBookmarksPeriodicallyAsync()
    {
        using var timer = new PeriodicTimer(_options.BookmarkInterval, _options.TimeProvider);
        while (await timer.WaitForNextTickAsync(_stopping.Token))
        {
            _store.SendBookmarks();
        }
    }
}
