namespace Karpenter.Orleans.Fuzz.Tests;

/// <summary>One set of targets (one built service host) for every test.</summary>
public sealed class FuzzTargetsFixture : IDisposable
{
    public FuzzTargets Targets { get; } = new();

    public void Dispose() => Targets.Dispose();
}
