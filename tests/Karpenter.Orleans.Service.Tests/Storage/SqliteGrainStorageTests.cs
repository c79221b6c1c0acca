using System.Text;
using Karpenter.Orleans.Storage;
using Microsoft.Data.Sqlite;

namespace Karpenter.Orleans.Service.Tests.Storage;

/// <summary>The embedded default: grain state in a SQLite file outlives the cluster that wrote it.</summary>
public sealed class SqliteGrainStorageTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"karpo-sqlite-{Guid.NewGuid():N}");

    [Fact]
    public async Task State_written_before_a_restart_is_read_back_as_plain_json()
    {
        // The folder does not exist yet: the schema step creates it before storage opens the file.
        var options = new KarpoStorageOptions { Provider = StorageProvider.Sqlite, SqlitePath = Path.Combine(_folder, "karpo.db") };
        await StorageTestClusters.WriteRestartAndReadBackAsync(options, "sqlite");

        var payload = await ReadPayloadAsync(options.SqlitePath);
        Assert.StartsWith("{", payload, StringComparison.Ordinal);
        Assert.Contains("\"note\":\"third\"", payload, StringComparison.Ordinal);
        Assert.DoesNotContain("$type", payload, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        // Pooled connections keep the file open.
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static async Task<string> ReadPayloadAsync(string file)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT PayloadBinary FROM OrleansStorage WHERE GrainTypeString = 'storage-probe'";
        var bytes = (byte[])(await command.ExecuteScalarAsync())!;
        return Encoding.UTF8.GetString(bytes);
    }
}
