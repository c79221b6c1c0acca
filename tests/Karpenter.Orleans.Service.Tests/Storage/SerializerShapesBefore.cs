// A state type as first written: see SerializerShapesAfter.cs for the same shape renamed.
namespace Karpenter.Orleans.Service.Tests.Storage.Before;

internal enum PhaseV1
{
    Active,
    Draining,
}

internal sealed record ClaimV1(string Name, int Cpu);

internal sealed class PoolStateV1
{
    public List<ClaimV1> Claims { get; set; } = [];

    public PhaseV1 Phase { get; set; }

    public Dictionary<string, string> Labels { get; set; } = [];

    // A field on purpose: Orleans state types often use them.
    public int Generation;
}
