using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Karpenter.Orleans.Storage;

/// <summary>
/// Checks <see cref="KarpoStorageOptions"/> with messages that name the configuration key to set.
/// Messages never repeat a connection string (it may hold a password).
/// </summary>
public sealed class KarpoStorageOptionsValidator : IValidateOptions<KarpoStorageOptions>
{
    private const string ProviderKey = KarpoStorageOptions.Section + ":" + nameof(KarpoStorageOptions.Provider);
    private const string ConnectionStringKey = KarpoStorageOptions.Section + ":" + nameof(KarpoStorageOptions.ConnectionString);
    private const string SqlitePathKey = KarpoStorageOptions.Section + ":" + nameof(KarpoStorageOptions.SqlitePath);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, KarpoStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        switch (options.Provider)
        {
            case StorageProvider.Memory:
                break;

            case StorageProvider.PostgreSql when string.IsNullOrWhiteSpace(options.ConnectionString):
                failures.Add(
                    $"{ConnectionStringKey} is required when {ProviderKey} is PostgreSql: set it to an Npgsql connection " +
                    "string such as Host=db;Port=5432;Database=orleans;Username=orleans;Password=... " +
                    "(environment: Karpo__Storage__ConnectionString).");
                break;

            case StorageProvider.PostgreSql:
                CheckParses(() => new NpgsqlConnectionStringBuilder(options.ConnectionString), "an Npgsql", failures);
                break;

            case StorageProvider.Sqlite when !string.IsNullOrWhiteSpace(options.ConnectionString):
                CheckParses(() => new SqliteConnectionStringBuilder(options.ConnectionString), "a Microsoft.Data.Sqlite", failures);
                break;

            case StorageProvider.Sqlite when string.IsNullOrWhiteSpace(options.SqlitePath):
                failures.Add($"{SqlitePathKey} (or {ConnectionStringKey}) is required when {ProviderKey} is Sqlite.");
                break;

            case StorageProvider.Sqlite:
                break;

            default:
                failures.Add($"{ProviderKey} must be one of {string.Join(", ", Enum.GetNames<StorageProvider>())}; got '{options.Provider}'.");
                break;
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckParses(Action parse, string kind, List<string> failures)
    {
        try
        {
            parse();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            // The builders' messages name a keyword or a malformed position, not the password.
            failures.Add($"{ConnectionStringKey} is not {kind} connection string: {ex.Message}");
        }
    }
}
