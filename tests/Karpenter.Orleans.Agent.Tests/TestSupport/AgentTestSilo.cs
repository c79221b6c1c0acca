using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Karpenter.Orleans.Silo.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Karpenter.Orleans.Agent.Tests.TestSupport;

/// <summary>
/// The real silo on Kestrel at <see cref="BaseUrl"/>: in-memory storage, the simulated cloud, no simulated fleet
/// (the test's API server is the only cluster), fixed admin and read tokens and a private temp directory.
/// </summary>
public sealed class AgentTestSilo : WebApplicationFactory<KarpoApiOptions>
{
    public const string AdminToken = "agent-test-admin-token-4c1d9e";
    public const string ReadToken = "agent-test-read-token-7f2a0b";

    private readonly Dictionary<string, string?> _settings;

    public AgentTestSilo(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        Port = FreePorts.Next();
        Directory = Path.Combine(Path.GetTempPath(), "karpo-agent-tests", Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(Directory);
        _settings = new Dictionary<string, string?>
        {
            ["urls"] = BaseUrl,
            ["Karpo:Storage:Provider"] = "Memory",
            ["Karpo:SimulatedFleet:Enabled"] = "false",
            ["Karpo:SimulatedCloud:CatalogPath"] = CatalogPath(),
            ["Karpo:SimulatedCloud:StateFile"] = Path.Combine(Directory, "simulated-cloud.json"),
            ["Karpo:Auth:AdminToken"] = AdminToken,
            ["Karpo:Auth:ReadTokens:0"] = ReadToken,
            ["Karpo:Auth:TokensPath"] = Path.Combine(Directory, "tokens.json"),
            ["Karpo:Auth:ClientConfigPath"] = Path.Combine(Directory, "karpo-config.json"),
            ["Karpo:Auth:FailedAttemptsPerClient"] = "1000000",
            ["Karpo:Dashboard:Enabled"] = "false",
            ["Orleans:Endpoints:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:Endpoints:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel();
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string Directory { get; }

    /// <summary>A client of the silo's real socket with <paramref name="token"/>.</summary>
    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (key, value) in _settings)
        {
            if (value is not null)
            {
                builder.UseSetting(key, value);
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    // Tests run from an artifacts folder outside the repository, where the cloud's search for the catalog would not reach.
    private static string CatalogPath([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", "data", "aws-us-east-1-instance-types.json"));
}
