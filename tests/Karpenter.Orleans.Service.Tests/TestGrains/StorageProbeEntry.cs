namespace Karpenter.Orleans.Service.Tests.TestGrains;

/// <summary>A positional record inside <see cref="StorageProbeState"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record StorageProbeEntry([property: Id(0)] string Note, [property: Id(1)] int Cpu);
