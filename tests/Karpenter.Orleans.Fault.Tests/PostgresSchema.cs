using Npgsql;

namespace Karpenter.Orleans.Fault.Tests;

/// <summary>
/// A fresh PostgreSQL schema per run on the private test server (KARPO_TEST_POSTGRES, started by
/// scripts/test.sh or scripts/fault-suite.sh): the silos' search path points at it and they install their
/// tables into it at start. Dropped on dispose.
/// </summary>
internal sealed class PostgresSchema : IAsyncDisposable
{
    public const string EnvironmentVariable = "KARPO_TEST_POSTGRES";

    private readonly string _server;

    private PostgresSchema(string server, string name)
    {
        _server = server;
        Name = name;
    }

    public string Name { get; }

    public NpgsqlConnectionStringBuilder Server => new(_server);

    /// <summary>The silos' connection string: this schema, through <paramref name="port"/> (a proxy) when given.</summary>
    public string ConnectionString(int? port = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(_server) { SearchPath = Name };
        if (port is { } p)
        {
            builder.Host = "127.0.0.1";
            builder.Port = p;
        }

        return builder.ConnectionString;
    }

    public static async Task<PostgresSchema> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(EnvironmentVariable);
        Assert.False(string.IsNullOrWhiteSpace(server),
            $"{EnvironmentVariable} is not set, so the PostgreSQL fault scenarios cannot run: use `bash scripts/fault-suite.sh` or `bash scripts/test.sh`, which start a private PostgreSQL and export it.");
        var schema = new PostgresSchema(server!, $"karpo_fault_{Guid.NewGuid():N}"[..24]);
        await schema.ExecuteAsync($"CREATE SCHEMA {schema.Name}");
        return schema;
    }

    public async ValueTask DisposeAsync() => await ExecuteAsync($"DROP SCHEMA IF EXISTS {Name} CASCADE");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
