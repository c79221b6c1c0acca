namespace Karpenter.Orleans.Agent;

/// <summary>Exponential backoff with jitter, so that agents that failed together do not retry together.</summary>
internal static class Backoff
{
    public static TimeSpan Delay(TimeSpan first, TimeSpan max, int failures)
    {
        var exponential = first.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20));
        var capped = Math.Min(exponential, max.TotalMilliseconds);
        // Half fixed, half random: never a zero wait, never in lockstep.
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }
}
