using Microsoft.Data.Sqlite;
using Npgsql;

namespace Karpenter.Orleans.Storage;

/// <summary>Connection string helpers that never let a password reach a log or an exception message.</summary>
internal static class StorageConnectionStrings
{
    /// <summary>The Orleans ADO.NET invariant for PostgreSQL (Npgsql).</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>Orleans' name for SQLite; it loads Microsoft.Data.Sqlite ("Microsoft.Data.Sqlite" itself is not accepted).</summary>
    public const string SqliteInvariant = "System.Data.SQLite";

    /// <summary>The connection string the providers get: the configured one, else one for <see cref="KarpoStorageOptions.SqlitePath"/>.</summary>
    public static string Resolve(KarpoStorageOptions options) => options.Provider switch
    {
        StorageProvider.Sqlite when string.IsNullOrWhiteSpace(options.ConnectionString) =>
            new SqliteConnectionStringBuilder { DataSource = options.SqlitePath }.ConnectionString,
        _ => options.ConnectionString ?? string.Empty,
    };

    /// <summary>Where the store is, without credentials: "PostgreSQL 127.0.0.1:5432/orleans" or "SQLite /path/karpo.db".</summary>
    public static string Describe(StorageProvider provider, string connectionString)
    {
        try
        {
            switch (provider)
            {
                case StorageProvider.PostgreSql:
                    var pg = new NpgsqlConnectionStringBuilder(connectionString);
                    var searchPath = string.IsNullOrEmpty(pg.SearchPath) ? "" : $" (search path {pg.SearchPath})";
                    return $"PostgreSQL {pg.Host}:{pg.Port}/{pg.Database}{searchPath}";
                case StorageProvider.Sqlite:
                    var file = SqliteFile(connectionString);
                    return file is null ? "SQLite (in memory)" : $"SQLite {Path.GetFullPath(file)}";
                default:
                    return provider.ToString();
            }
        }
        catch (ArgumentException)
        {
            return $"{provider} (unreadable connection string)";
        }
    }

    /// <summary>The database file of a SQLite connection string, or null for an in-memory or URI database.</summary>
    public static string? SqliteFile(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var source = builder.DataSource;
        if (string.IsNullOrWhiteSpace(source)
            || builder.Mode == SqliteOpenMode.Memory
            || source.Equals(":memory:", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return source;
    }
}
