namespace Karpenter.Orleans.Grains.Shared;

/// <summary>Persisted launch and interruption counts per spot pool ("type/zone").</summary>
public sealed class InterruptionRatesState
{
    public Dictionary<string, int> Launches { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> Interruptions { get; set; } = new(StringComparer.Ordinal);
}
