using System.Net;
using System.Text.Json;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>With no tokens configured the silo makes its own, keeps them private, reuses them, and tells karpo.</summary>
public sealed class EmbeddedDefaultsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "karpo-silo-tests", Guid.NewGuid().ToString("n"));

    [Fact]
    public async Task Generated_tokens_are_private_reused_and_written_for_karpo()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Karpo:Auth:AdminToken"] = null,
            ["Karpo:Auth:ReadTokens:0"] = null,
            ["Karpo:Dashboard:Enabled"] = "false",
        };

        KarpoClientConfig first;
        await using (var silo = new ConfiguredSiloFactory(settings, _directory))
        {
            using var anonymous = silo.CreateClient(token: null);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);

            first = ReadConfig(silo.ClientConfigPath);
            Assert.StartsWith("http://", first.Server, StringComparison.Ordinal);
            Assert.StartsWith("karpo_read_", first.Token, StringComparison.Ordinal);
            Assert.StartsWith("karpo_admin_", first.AdminToken, StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(silo.ClientConfigPath));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, "tokens.json")));
            }

            // The generated tokens work: read may read, only admin may write, nothing else gets in.
            await AssertRolesAsync(silo, first);
        }

        await using (var restarted = new ConfiguredSiloFactory(settings, _directory))
        {
            using var anonymous = restarted.CreateClient(token: null);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
            var second = ReadConfig(restarted.ClientConfigPath);
            Assert.Equal(first.Token, second.Token);
            Assert.Equal(first.AdminToken, second.AdminToken);
            await AssertRolesAsync(restarted, second);
        }
    }

    [Fact]
    public async Task Configured_tokens_write_no_client_config()
    {
        await using var silo = new ConfiguredSiloFactory(new Dictionary<string, string?> { ["Karpo:Dashboard:Enabled"] = "false" }, _directory);
        using var anonymous = silo.CreateClient(token: null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.False(File.Exists(silo.ClientConfigPath));
        Assert.False(File.Exists(Path.Combine(_directory, "tokens.json")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static KarpoClientConfig ReadConfig(string path) =>
        JsonSerializer.Deserialize<KarpoClientConfig>(File.ReadAllText(path), ApiJson.Options) ?? throw new InvalidOperationException("empty config");

    private static async Task AssertRolesAsync(KarpoSiloFactory silo, KarpoClientConfig config)
    {
        using var read = silo.CreateClient(config.Token);
        using var admin = silo.CreateClient(config.AdminToken);
        using var stranger = silo.CreateClient("karpo_read_not-the-one");

        // Refused by validation, so authorized; no grain needed.
        Assert.Equal(HttpStatusCode.BadRequest, (await read.GetAsync("/api/v1/capacity?groupBy=colour")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await read.PutAsync("/api/v1/fleet/spend-cap", ApiJson.Raw("""{"pricePerHour":-1}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsync("/api/v1/fleet/spend-cap", ApiJson.Raw("""{"pricePerHour":-1}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/v1/capacity?groupBy=colour")).StatusCode);
    }
}
