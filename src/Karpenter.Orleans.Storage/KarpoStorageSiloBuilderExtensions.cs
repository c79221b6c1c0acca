using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Storage;

/// <summary>Wires Orleans' ADO.NET providers (or memory) to the configured store.</summary>
public static class KarpoStorageSiloBuilderExtensions
{
    /// <summary>
    /// Grain storage <see cref="KarpoStorageOptions.GrainStorageName"/>, clustering (localhost unless
    /// PostgreSQL) and reminders (in memory unless PostgreSQL), after applying the schema when asked.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><b>Memory</b>: memory grain storage and in-memory reminders.</item>
    /// <item><b>Sqlite</b>: ADO.NET grain storage on the SQLite file, in-memory reminders (Orleans
    /// has no SQLite clustering or reminder provider).</item>
    /// <item><b>PostgreSql</b>: ADO.NET clustering, grain storage and reminders on PostgreSQL.</item>
    /// </list>
    /// For Memory and Sqlite this method configures <b>no clustering</b>: the caller adds it
    /// (<c>UseLocalhostClustering()</c> for the single embedded silo). For PostgreSql the caller
    /// must not add another clustering provider, and should set <c>ClusterOptions</c>
    /// (ClusterId, ServiceId): membership rows are keyed by ClusterId and grain state and
    /// reminders by ServiceId, so a fixed ServiceId is what lets state survive restarts.
    /// Grain state is written with <see cref="PlainJsonGrainStorageSerializer"/>.
    /// When <see cref="KarpoStorageOptions.ApplySchema"/> is set, the schema scripts are applied
    /// at the very first stage of the silo lifecycle, before any provider reads its queries.
    /// </remarks>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names the key to fix.</exception>
    public static ISiloBuilder AddKarpoStorage(this ISiloBuilder silo, KarpoStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);

        var validation = new KarpoStorageOptionsValidator().Validate(Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(KarpoStorageOptions.Section, typeof(KarpoStorageOptions), validation.Failures);
        }

        var provider = options.Provider;
        var connectionString = StorageConnectionStrings.Resolve(options);
        switch (provider)
        {
            case StorageProvider.Memory:
                // The same plain JSON as the databases (Orleans' default here is Newtonsoft with type names,
                // several times slower per write), and more storage grains than the default 10 so a burst
                // of writes is not queued behind a few of them.
                silo.AddMemoryGrainStorage(KarpoStorageOptions.GrainStorageName, o =>
                {
                    o.GrainStorageSerializer = new PlainJsonGrainStorageSerializer();
                    o.NumStorageGrains = 64;
                });
                silo.UseInMemoryReminderService();
                return silo;

            case StorageProvider.Sqlite:
                silo.AddAdoNetGrainStorage(KarpoStorageOptions.GrainStorageName, o =>
                {
                    o.Invariant = StorageConnectionStrings.SqliteInvariant;
                    o.ConnectionString = connectionString;
                    o.GrainStorageSerializer = new PlainJsonGrainStorageSerializer();
                });
                silo.UseInMemoryReminderService();
                break;

            case StorageProvider.PostgreSql:
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = StorageConnectionStrings.PostgresInvariant;
                    o.ConnectionString = connectionString;
                });
                silo.AddAdoNetGrainStorage(KarpoStorageOptions.GrainStorageName, o =>
                {
                    o.Invariant = StorageConnectionStrings.PostgresInvariant;
                    o.ConnectionString = connectionString;
                    o.GrainStorageSerializer = new PlainJsonGrainStorageSerializer();
                });
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = StorageConnectionStrings.PostgresInvariant;
                    o.ConnectionString = connectionString;
                });
                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(options), provider, "Unknown storage provider.");
        }

        if (options.ApplySchema)
        {
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new SchemaInstallerLifecycleParticipant(
                provider, connectionString, sp.GetRequiredService<ILogger<SchemaInstallerLifecycleParticipant>>()));
        }

        return silo;
    }
}
