namespace Karpenter.Orleans.Grains;

/// <summary>
/// The clock grains read. A wrapper rather than <see cref="TimeProvider"/> itself so tests can move the
/// grains' time without moving Orleans' own timers.
/// </summary>
public sealed class ServiceClock(TimeProvider provider)
{
    public TimeProvider Provider { get; } = provider;

    public DateTimeOffset Now => Provider.GetUtcNow();
}
