namespace Karpenter.Orleans.Grains.Shared;

/// <summary>Persisted quota ledger: explicit limits and the holds of launches (in flight or running).</summary>
public sealed class QuotaState
{
    public Dictionary<string, int> Limits { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, QuotaHold> Holds { get; set; } = new(StringComparer.Ordinal);
}
