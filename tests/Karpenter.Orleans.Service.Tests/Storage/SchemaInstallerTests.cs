using Karpenter.Orleans.Storage;
using Microsoft.Data.Sqlite;

namespace Karpenter.Orleans.Service.Tests.Storage;

/// <summary>The embedded schema scripts apply, re-apply and cover every query key the providers read.</summary>
public sealed class SchemaInstallerTests
{
    // Every key Orleans 10.4.2's ADO.NET clustering, persistence and reminder providers read.
    private static readonly string[] ClusteringKeys =
    [
        "CleanupDefunctSiloEntriesKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey", "InsertMembershipKey",
        "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
    ];

    private static readonly string[] PersistenceKeys = ["ClearStorageKey", "DeleteStorageKey", "ReadFromStorageKey", "WriteToStorageKey"];

    private static readonly string[] ReminderKeys =
    [
        "DeleteReminderRowKey", "DeleteReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "ReadReminderRowKey",
        "ReadReminderRowsKey", "UpsertReminderRowKey",
    ];

    [Fact]
    public async Task Sqlite_schema_applies_twice_and_creates_the_database_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"karpo-schema-{Guid.NewGuid():N}");
        var file = Path.Combine(folder, "nested", "karpo.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ConnectionString;
        try
        {
            await SchemaInstaller.ApplyAsync(StorageProvider.Sqlite, connectionString, CancellationToken.None);
            await SchemaInstaller.ApplyAsync(StorageProvider.Sqlite, connectionString, CancellationToken.None);

            Assert.True(File.Exists(file));
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            Assert.Equal(PersistenceKeys, await ReadColumnAsync(connection, "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey"));
            Assert.Equal(["OrleansQuery", "OrleansStorage"], await ReadColumnAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task PostgreSql_schema_applies_twice_with_every_provider_query()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();

        await SchemaInstaller.ApplyAsync(StorageProvider.PostgreSql, schema.ConnectionString, CancellationToken.None);
        await SchemaInstaller.ApplyAsync(StorageProvider.PostgreSql, schema.ConnectionString, CancellationToken.None);

        var expectedKeys = ClusteringKeys.Concat(PersistenceKeys).Concat(ReminderKeys).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedKeys, await schema.QueryAsync<string>("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey COLLATE \"C\""));
        Assert.Equal(
            ["orleansmembershiptable", "orleansmembershipversiontable", "orleansquery", "orleansreminderstable", "orleansstorage"],
            await schema.QueryAsync<string>(
                $"SELECT table_name::text FROM information_schema.tables WHERE table_schema = '{schema.Name}' ORDER BY table_name"));
    }

    [Fact]
    public async Task Unreachable_PostgreSql_fails_clearly_without_the_password()
    {
        // Port 1 on loopback refuses at once; nothing listens there.
        const string connectionString = "Host=127.0.0.1;Port=1;Database=orleans;Username=orleans;Password=s3cret-value;Timeout=3";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => SchemaInstaller.ApplyAsync(StorageProvider.PostgreSql, connectionString, CancellationToken.None));

        Assert.Contains("PostgreSQL 127.0.0.1:1/orleans", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-value", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_listed_script_is_embedded_and_Main_comes_first()
    {
        foreach (var provider in new[] { StorageProvider.PostgreSql, StorageProvider.Sqlite })
        {
            var names = SchemaInstaller.ScriptNames(provider);
            Assert.EndsWith("-Main.sql", names[0], StringComparison.Ordinal);
            Assert.All(names, name => Assert.Contains("CREATE TABLE IF NOT EXISTS", SchemaInstaller.ReadScript(name), StringComparison.Ordinal));
        }

        Assert.Empty(SchemaInstaller.ScriptNames(StorageProvider.Memory));
    }

    private static async Task<List<string>> ReadColumnAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
