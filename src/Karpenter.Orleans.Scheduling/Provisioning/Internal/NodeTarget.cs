using k8s.Models;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>An existing node or in-flight NodeClaim with the room its bound (or nominated) pods and DaemonSets leave.</summary>
internal sealed class NodeTarget : Target
{
    public required string Name { get; init; }

    public required IDictionary<string, string> Labels { get; init; }

    public required ResourceVector Allocatable { get; init; }

    public required IList<V1Taint> Taints { get; init; }

    public required bool Cordoned { get; init; }

    /// <summary>The in-flight NodeClaim this target is (alone or merged with its joined node); null for a plain node.</summary>
    public string? NodeClaim { get; init; }

    public NodeTarget Clone()
    {
        var n = new NodeTarget { Name = Name, Labels = Labels, Allocatable = Allocatable, Taints = Taints, Cordoned = Cordoned, NodeClaim = NodeClaim, Used = Used };
        CopyHostCountsTo(n);

        n.AntiOwners.UnionWith(AntiOwners);
        n.Ports.AddRange(Ports);
        return n;
    }

    public override string? Domain(string key) => Labels.TryGetValue(key, out var v) ? v : null;
}
