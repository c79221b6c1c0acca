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
}
