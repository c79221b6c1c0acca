namespace Karpenter.Orleans.Grains.Shared;

/// <summary>Persisted, decaying launch and interruption counts per spot pool ("type/zone").</summary>
public sealed class InterruptionRatesState
{
    public Dictionary<string, SpotPoolCounts> Pools { get; set; } = new(StringComparer.Ordinal);
}
