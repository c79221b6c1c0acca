namespace Karpenter.Orleans.Silo.Console;

/// <summary>The fleet web console served at <c>/</c>, section <see cref="Section"/>.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Karpo:Console";

    /// <summary>Serve the console (on by default; the API is unaffected).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often an open page reloads itself, in seconds (0: never).</summary>
    public int RefreshSeconds { get; set; } = 15;

    /// <summary>How often the silo samples fleet cost and capacity for the charts.</summary>
    public TimeSpan HistoryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How much history the charts keep (in memory, per silo).</summary>
    public TimeSpan HistoryLength { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the silo reads every cluster into its <see cref="FleetSnapshot"/>, which the fleet pages show.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one cluster may take to answer before it is marked stale (the snapshot keeps its last answer);
    /// also how long a fleet-wide API read waits for a cluster before it serves the snapshot's answer.
    /// </summary>
    public TimeSpan ClusterTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>A cluster whose last answer is older than this is shown as stale even if its last read did not fail.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);
}
