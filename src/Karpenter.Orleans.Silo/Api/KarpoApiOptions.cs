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
    /// /metrics needs a read (or admin) token. Off by default: Prometheus discovers pods by annotation and
    /// scrapes them without credentials, and the metrics carry counts, durations, prices and cluster ids but
    /// no token, log line or instance id. Turn it on when the port is reachable from outside the cluster.
    /// </summary>
    public bool MetricsRequireToken { get; set; }
}
