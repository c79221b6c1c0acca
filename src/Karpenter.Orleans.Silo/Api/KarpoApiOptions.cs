namespace Karpenter.Orleans.Silo.Api;

/// <summary>HTTP API settings, section <see cref="Section"/>.</summary>
public sealed class KarpoApiOptions
{
    public const string Section = "Karpo:Api";

    /// <summary>Where Kestrel listens when neither ASPNETCORE_URLS, --urls, HTTP ports nor Kestrel endpoints say otherwise.</summary>
    public string DefaultUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The largest request body accepted; larger bodies get 413 before anything reads them.</summary>
    public long MaxRequestBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// The largest agent snapshot (<c>PUT /api/v1/clusters/{id}/state</c>) accepted: a whole cluster in one body,
    /// about 11 KB per node with its pods (a 5,000-node, 50,000-pod cluster sends about 55 MB). Kept under
    /// Orleans' 100 MB message limit, since the snapshot reaches the cluster's grain as one call.
    /// </summary>
    public long MaxSnapshotBytes { get; set; } = 96 * 1024 * 1024;

    /// <summary>The body limit of <paramref name="request"/>: <see cref="MaxSnapshotBytes"/> for a snapshot, else <see cref="MaxRequestBodyBytes"/>.</summary>
    public long BodyLimitOf(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HttpMethods.IsPut(request.Method) && IsSnapshotPath(request.Path.Value) ? MaxSnapshotBytes : MaxRequestBodyBytes;
    }

    // "/api/v1/clusters/{id}/state": four segments after the root, the last "state".
    private static bool IsSnapshotPath(string? path) =>
        path is not null
        && path.StartsWith("/api/v1/clusters/", StringComparison.Ordinal)
        && path.EndsWith("/state", StringComparison.Ordinal)
        && path.AsSpan("/api/v1/clusters/".Length, path.Length - "/api/v1/clusters/".Length - "/state".Length).IndexOf('/') < 0;

    /// <summary>
    /// /metrics needs a read (or admin) token. Off by default: Prometheus discovers pods by annotation and
    /// scrapes them without credentials, and the metrics carry counts, durations, prices and cluster ids but
    /// no token, log line or instance id. Turn it on when the port is reachable from outside the cluster.
    /// </summary>
    public bool MetricsRequireToken { get; set; }
}
