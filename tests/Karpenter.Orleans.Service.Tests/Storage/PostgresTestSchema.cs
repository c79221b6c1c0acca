using Npgsql;

namespace Karpenter.Orleans.Service.Tests.Storage;

/// <summary>
/// A private PostgreSQL schema for one test: the connection string's search path points at it,
/// so the test installs and uses its own tables and sees no other test's rows. Dropped on dispose.
/// </summary>
internal sealed class PostgresTestSchema : IAsyncDisposable
{
    public const string EnvironmentVariable = "KARPO_TEST_POSTGRES";

    private readonly string _adminConnectionString;

    private PostgresTestSchema(string adminConnectionString, string name)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { SearchPath = name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>Npgsql connection string whose unqualified table names resolve to this schema.</summary>
    public string ConnectionString { get; }

    /// <summary>KARPO_TEST_POSTGRES, or a failed test (never a silent pass) when it is unset.</summary>
    public static string RequireServer()
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            Assert.Fail(
                $"{EnvironmentVariable} is not set, so this PostgreSQL test cannot run. Run `bash scripts/test.sh`: " +
                $"it starts a private PostgreSQL and exports {EnvironmentVariable} (an Npgsql connection string).");
        }

        return value;
    }

    public static async Task<PostgresTestSchema> CreateAsync()
    {
        var server = RequireServer();
        var schema = new PostgresTestSchema(server, $"karpo_test_{Guid.NewGuid():N}"[..24]);
        await schema.ExecuteAdminAsync($"CREATE SCHEMA {schema.Name}");
        return schema;
    }

    /// <summary>Runs a query in this schema and returns the first column of every row.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }

    public async ValueTask DisposeAsync() => await ExecuteAdminAsync($"DROP SCHEMA IF EXISTS {Name} CASCADE");

    private async Task ExecuteAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
