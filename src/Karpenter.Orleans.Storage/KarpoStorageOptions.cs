namespace Karpenter.Orleans.Storage;

/// <summary>Storage settings, section <see cref="Section"/>.</summary>
public sealed class KarpoStorageOptions
{
    public const string Section = "Karpo:Storage";

    /// <summary>The grain storage name every grain's persistent state uses.</summary>
    public const string GrainStorageName = "karpo";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Npgsql connection string (PostgreSql) or Microsoft.Data.Sqlite connection string (Sqlite; <see cref="SqlitePath"/> when empty).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The SQLite file when no connection string is given.</summary>
    public string SqlitePath { get; set; } = ".karpo/karpo.db";

    /// <summary>Apply the schema scripts at start (idempotent).</summary>
    public bool ApplySchema { get; set; } = true;
}
