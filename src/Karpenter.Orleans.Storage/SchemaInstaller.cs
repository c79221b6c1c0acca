using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Karpenter.Orleans.Storage;

/// <summary>
/// Applies the project's own schema scripts (embedded from <c>Sql/</c>) for Orleans' ADO.NET
/// providers: the <c>OrleansQuery</c> catalogue first, then the tables and queries of each
/// provider. Idempotent, so it can run at every start.
/// </summary>
public static class SchemaInstaller
{
    private const string ResourcePrefix = "Karpenter.Orleans.Storage.Sql.";

    // Any constant works; it only has to be the same for every installer of this project.
    private const long PostgresAdvisoryLockKey = 0x4B61_7270_6F53_716C; // "KarpoSql"

    private static readonly string[] PostgresScripts =
    [
        "PostgreSQL-Main.sql",
        "PostgreSQL-Clustering.sql",
        "PostgreSQL-Persistence.sql",
        "PostgreSQL-Reminders.sql",
    ];

    private static readonly string[] SqliteScripts = ["Sqlite-Main.sql", "Sqlite-Persistence.sql"];

    /// <summary>The scripts <see cref="ApplyAsync"/> runs for <paramref name="provider"/>, in order (none for Memory).</summary>
    public static IReadOnlyList<string> ScriptNames(StorageProvider provider) => provider switch
    {
        StorageProvider.PostgreSql => PostgresScripts,
        StorageProvider.Sqlite => SqliteScripts,
        StorageProvider.Memory => [],
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown storage provider."),
    };

    /// <summary>The text of one embedded script, e.g. <c>PostgreSQL-Main.sql</c> (for printing or applying by hand).</summary>
    public static string ReadScript(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        using var stream = typeof(SchemaInstaller).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new ArgumentException($"No embedded schema script named '{name}'.", nameof(name));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Applies every script of <paramref name="provider"/> to the database, Main first, all in
    /// one transaction. For SQLite the folder of the database file is created when missing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database was unreachable or a script failed; the message names the script.</exception>
    public static Task ApplyAsync(StorageProvider provider, string connectionString, CancellationToken ct) => provider switch
    {
        StorageProvider.Memory => Task.CompletedTask,
        StorageProvider.PostgreSql => ApplyPostgresAsync(RequireConnectionString(connectionString), ct),
        StorageProvider.Sqlite => ApplySqliteAsync(RequireConnectionString(connectionString), ct),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown storage provider."),
    };

    private static string RequireConnectionString(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return connectionString;
    }

    private static async Task ApplyPostgresAsync(string connectionString, CancellationToken ct)
    {
        var target = StorageConnectionStrings.Describe(StorageProvider.PostgreSql, connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        await OpenAsync(connection, target, ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);

        // CREATE TABLE IF NOT EXISTS is not safe against a concurrent CREATE (several silos
        // starting at once): the transaction-scoped lock makes installers take turns.
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PostgresAdvisoryLockKey})", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await RunScriptsAsync(PostgresScripts, connection, transaction, target, ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }

    private static async Task ApplySqliteAsync(string connectionString, CancellationToken ct)
    {
        var target = StorageConnectionStrings.Describe(StorageProvider.Sqlite, connectionString);
        var file = StorageConnectionStrings.SqliteFile(connectionString);
        if (file is not null)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }

        await using var connection = new SqliteConnection(connectionString);
        await OpenAsync(connection, target, ct).ConfigureAwait(false);
        if (file is not null)
        {
            // Write-ahead logging lets grain reads go on while another grain writes. The mode is
            // stored in the file and cannot be switched inside a transaction, hence here.
            await using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await RunScriptsAsync(SqliteScripts, connection, transaction, target, ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }

    private static async Task OpenAsync(DbConnection connection, string target, CancellationToken ct)
    {
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"Storage schema: cannot open {target}: {ex.Message}", ex);
        }
    }

    private static async Task RunScriptsAsync(
        IEnumerable<string> names, DbConnection connection, DbTransaction transaction, string target, CancellationToken ct)
    {
        foreach (var name in names)
        {
            var text = ReadScript(name);
            try
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = text;
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new InvalidOperationException(
                    $"Storage schema script {name} failed on {target} (nothing was applied): {ex.Message}", ex);
            }
        }
    }
}
