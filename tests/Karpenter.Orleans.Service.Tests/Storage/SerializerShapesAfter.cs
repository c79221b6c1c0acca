// The state type of SerializerShapesBefore.cs after a rename of every type and the namespace,
// with members reordered, immutable collections and renumbered enum values.
namespace Karpenter.Orleans.Service.Tests.Storage.After;

internal enum PoolPhase
{
    Draining = 10,
    Active = 20,
}

internal sealed record NodeClaim(string Name, int Cpu);

internal sealed class NodePoolState
{
    public int Generation { get; init; }

    public PoolPhase Phase { get; init; }

    public IReadOnlyList<NodeClaim> Claims { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
