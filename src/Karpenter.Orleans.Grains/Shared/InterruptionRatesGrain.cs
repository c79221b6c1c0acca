namespace Karpenter.Orleans.Grains.Shared;

/// <summary>
/// Spot interruptions per pool, counted from every cluster of a region. The rate is interruptions per
/// launch (smoothed by one launch), so a pool that took instances from one cluster warns every other cluster at once. Counts
/// decay with a half-life of <see cref="HalfLife"/>: a pool avoided because of old trouble gets no
/// launches to prove itself again, so only forgetting lets it back in.
/// </summary>
[Reentrant]
public sealed class InterruptionRatesGrain(
    [PersistentState("interruption-rates", StorageNames.Karpo)] IPersistentState<InterruptionRatesState> state,
    ServiceClock time) : Grain, IInterruptionRatesGrain
{
    public static readonly TimeSpan HalfLife = TimeSpan.FromHours(6);

    private bool _dirty;
    private CoalescingWriter? _writer;

    private Task WriteAsync() => (_writer ??= new CoalescingWriter(state.WriteStateAsync)).WriteAsync();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Launch counts arrive with every spot launch in the region; they are written in the background.
        // Losing a few seconds of them in a crash only makes a rate briefly higher (more cautious).
        this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)));
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => FlushAsync(cancellationToken);

    Task IInterruptionRatesGrain.RecordLaunchAsync(SpotPoolKey pool, string clusterId)
    {
        var counts = Decayed(Key(pool));
        counts.Launches++;
        counts.TotalLaunches++;
        _dirty = true;
        return Task.CompletedTask;
    }

    Task IInterruptionRatesGrain.RecordInterruptionAsync(SpotPoolKey pool, string clusterId)
    {
        var counts = Decayed(Key(pool));
        counts.Interruptions++;
        counts.TotalInterruptions++;
        // Interruptions are rare and are what steers every cluster: written at once.
        _dirty = false;
        return WriteAsync();
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            _dirty = false;
            await WriteAsync();
        }
    }

    Task<IReadOnlyList<SpotPoolRate>> IInterruptionRatesGrain.GetRatesAsync()
    {
        IReadOnlyList<SpotPoolRate> rates = state.State.Pools.Keys.Order(StringComparer.Ordinal).Select(k =>
        {
            var c = Decayed(k);
            var slash = k.IndexOf('/', StringComparison.Ordinal);
            // An interruption implies a launch even when the launch was counted elsewhere (before a restart).
            // The extra launch in the denominator is a prior: as the counts decay the evidence thins out
            // and the rate falls back towards zero, so an avoided pool is tried again after a while.
            var rate = c.Interruptions <= 1e-9 ? 0.0 : c.Interruptions / (Math.Max(c.Launches, c.Interruptions) + 1);
            return new SpotPoolRate(k[..slash], k[(slash + 1)..], c.TotalLaunches, c.TotalInterruptions, Math.Round(rate, 6));
        }).ToList();
        return Task.FromResult(rates);
    }

    private SpotPoolCounts Decayed(string key)
    {
        var now = time.Now;
        if (!state.State.Pools.TryGetValue(key, out var c))
        {
            return state.State.Pools[key] = new SpotPoolCounts { At = now };
        }

        if (now > c.At)
        {
            var factor = Math.Pow(0.5, (now - c.At).TotalSeconds / HalfLife.TotalSeconds);
            c.Launches *= factor;
            c.Interruptions *= factor;
            c.At = now;
        }

        return c;
    }

    private static string Key(SpotPoolKey pool) => $"{pool.InstanceType}/{pool.Zone}";
}
