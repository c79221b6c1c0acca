using System.Net;
using Karpenter.Orleans.Silo.Tests.TestSupport;
using Microsoft.Data.Sqlite;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>
/// /livez says the process serves, /readyz that the silo is active and grain storage reads and writes; the
/// old /healthz is /readyz (issue 8, "Open doors": one /healthz served every probe and never looked at storage).
/// </summary>
public sealed class ProbeTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "karpo-silo-tests", Guid.NewGuid().ToString("n"));

    [Fact]
    public async Task On_sqlite_readyz_fails_once_the_database_is_gone_while_livez_stays_up()
    {
        var database = Path.Combine(_directory, "db", "karpo.db");
        await using var silo = new ConfiguredSiloFactory(
            new Dictionary<string, string?>
            {
                ["Karpo:Storage:Provider"] = "Sqlite",
                ["Karpo:Storage:SqlitePath"] = database,
                ["Karpo:Dashboard:Enabled"] = "false",
            },
            _directory);
        using var probe = silo.CreateClient(token: null);

        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/livez")).StatusCode);
        Assert.True(File.Exists(database), $"the silo wrote no database at {database}");

        // The volume goes away: the directory with the database is removed and no pooled handle keeps the old file.
        Directory.Delete(Path.GetDirectoryName(database)!, recursive: true);
        SqliteConnection.ClearAllPools();

        using var ready = await probe.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("Unhealthy", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probe.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/livez")).StatusCode);

        // Storage back (the schema is the silo's to apply; an empty directory is enough for the file to reopen,
        // but without its tables readiness must stay failed rather than report a store that lost everything).
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probe.GetAsync("/readyz")).StatusCode);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
