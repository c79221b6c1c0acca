namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>A clock stopped at one instant, so AGE columns print the same on every run.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
