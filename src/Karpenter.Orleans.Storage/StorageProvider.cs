namespace Karpenter.Orleans.Storage;

/// <summary>Where grain state, membership and reminders live.</summary>
public enum StorageProvider
{
    /// <summary>Nothing survives a restart (tests, experiments).</summary>
    Memory,

    /// <summary>Grain state in a SQLite file; localhost clustering, in-memory reminders. The embedded default.</summary>
    Sqlite,

    /// <summary>Grain state, clustering and reminders in PostgreSQL. Production.</summary>
    PostgreSql,
}
