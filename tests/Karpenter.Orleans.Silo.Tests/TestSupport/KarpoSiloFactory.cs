using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Karpenter.Orleans.Silo.Tests.TestSupport;

/// <summary>
/// The real silo in process: in-memory storage, no simulated fleet, fixed admin and read tokens, its own
/// Orleans ports and a private temp directory for anything it writes (tokens, client config).
/// Pass <c>null</c> as a setting's value to leave it unset.
/// </summary>
public class KarpoSiloFactory : WebApplicationFactory<Program>
{
    public const string AdminToken = "test-admin-token-5b0f1e7c2d";
    public const string ReadToken = "test-read-token-93a4c6d1e8";

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsDirectory;

    /// <summary>The shared API test silo (the single public constructor a collection fixture needs).</summary>
    public KarpoSiloFactory()
        : this(new Dictionary<string, string?>())
    {
    }

    /// <summary>A silo with settings changed: derive, or use <c>ConfiguredSiloFactory</c>.</summary>
    protected KarpoSiloFactory(IReadOnlyDictionary<string, string?> overrides, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        _ownsDirectory = directory is null;
        Directory = directory ?? Path.Combine(Path.GetTempPath(), "karpo-silo-tests", Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(Directory);
        _settings = new Dictionary<string, string?>
        {
            ["Karpo:Storage:Provider"] = "Memory",
            ["Karpo:SimulatedFleet:Enabled"] = "false",
            ["Karpo:SimulatedCloud:CatalogPath"] = CatalogPath(),
            ["Karpo:SimulatedCloud:StateFile"] = Path.Combine(Directory, "simulated-cloud.json"),
            ["Karpo:Auth:AdminToken"] = AdminToken,
            ["Karpo:Auth:ReadTokens:0"] = ReadToken,
            ["Karpo:Auth:TokensPath"] = Path.Combine(Directory, "tokens.json"),
            ["Karpo:Auth:ClientConfigPath"] = ClientConfigPath,

            // Every test client shares one remote address; tests of the failed-authentication limit set their own.
            ["Karpo:Auth:FailedAttemptsPerClient"] = "1000000",
            ["Orleans:Endpoints:SiloPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:Endpoints:GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in overrides)
        {
            _settings[key] = value;
        }
    }

    /// <summary>A directory only this factory uses; deleted on dispose unless it was handed in.</summary>
    public string Directory { get; }

    public string ClientConfigPath => Path.Combine(Directory, "karpo-config.json");

    public HttpClient CreateClient(string? token)
    {
        var client = CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

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
        DeleteDirectory();
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        DeleteDirectory();
    }

    private void DeleteDirectory()
    {
        if (_ownsDirectory && System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    // Tests run from an artifacts folder outside the repository, where the cloud's search for the catalog would not reach.
    private static string CatalogPath([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", "data", "aws-us-east-1-instance-types.json"));
}
