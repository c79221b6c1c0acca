namespace Karpenter.Orleans.Abstractions;

/// <summary>Spot interruption rates of one provider region, keyed "{provider}/{region}", learned from every cluster.</summary>
public interface IInterruptionRatesGrain : IGrainWithStringKey
{
    Task RecordLaunchAsync(SpotPoolKey pool, string clusterId);

    Task RecordInterruptionAsync(SpotPoolKey pool, string clusterId);

    Task<IReadOnlyList<SpotPoolRate>> GetRatesAsync();
}
