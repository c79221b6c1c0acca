namespace Karpenter.Orleans.Grains.Shared;

/// <summary>
/// Spot interruptions per pool, counted from every cluster of a region. The rate is interruptions per
/// launch, so a pool that took two instances from one cluster warns every other cluster at once.
/// </summary>
public sealed class InterruptionRatesGrain(
    [PersistentState("interruption-rates", StorageNames.Karpo)] IPersistentState<InterruptionRatesState> state) : Grain, IInterruptionRatesGrain
{
    Task IInterruptionRatesGrain.RecordLaunchAsync(SpotPoolKey pool, string clusterId)
    {
        var key = Key(pool);
        state.State.Launches[key] = state.State.Launches.GetValueOrDefault(key) + 1;
        return state.WriteStateAsync();
    }

    Task IInterruptionRatesGrain.RecordInterruptionAsync(SpotPoolKey pool, string clusterId)
    {
        var key = Key(pool);
        state.State.Interruptions[key] = state.State.Interruptions.GetValueOrDefault(key) + 1;
        return state.WriteStateAsync();
    }

    Task<IReadOnlyList<SpotPoolRate>> IInterruptionRatesGrain.GetRatesAsync()
    {
        var keys = state.State.Launches.Keys.Union(state.State.Interruptions.Keys).Order(StringComparer.Ordinal);
        IReadOnlyList<SpotPoolRate> rates = keys.Select(k =>
        {
            var launches = state.State.Launches.GetValueOrDefault(k);
            var interruptions = state.State.Interruptions.GetValueOrDefault(k);
            var slash = k.IndexOf('/', StringComparison.Ordinal);
            // An interruption implies a launch even when the launch was counted elsewhere (before a restart).
            var rate = interruptions == 0 ? 0.0 : (double)interruptions / Math.Max(launches, interruptions);
            return new SpotPoolRate(k[..slash], k[(slash + 1)..], launches, interruptions, rate);
        }).ToList();
        return Task.FromResult(rates);
    }

    private static string Key(SpotPoolKey pool) => $"{pool.InstanceType}/{pool.Zone}";
}
