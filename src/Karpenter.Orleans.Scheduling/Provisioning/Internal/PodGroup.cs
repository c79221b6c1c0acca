using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// Pending pods that are identical for scheduling (same namespace, labels, requests, selectors, affinity,
/// tolerations, spread and host ports). The solver places a group in bulk: how many fit is a division.
/// </summary>
internal sealed class PodGroup
{
    public required int Index { get; init; }

    public required V1Pod Representative { get; init; }

    public required List<string> PodKeys { get; init; }

    /// <summary>Position of the first pod in the input, for a stable order.</summary>
    public required int FirstInputIndex { get; init; }

    public required string Namespace { get; init; }

    public required IDictionary<string, string> Labels { get; init; }

    public required ResourceVector Requests { get; init; }

    /// <summary>nodeSelector intersected with each required node-affinity term (terms are ORed).</summary>
    public required List<RequirementSet> RequiredTerms { get; init; }

    /// <summary>Preferred node-affinity terms, heaviest first.</summary>
    public required List<RequirementSet> PreferredNodeTerms { get; init; }

    public required IList<V1Toleration> Tolerations { get; init; }

    public required List<(TopologyGroup Group, bool ScheduleAnyway)> Spreads { get; init; }

    public required List<TopologyGroup> RequiredAffinity { get; init; }

    public required List<TopologyGroup> RequiredAntiAffinity { get; init; }

    /// <summary>Preferred pod affinity terms, heaviest first.</summary>
    public required List<TopologyGroup> PreferredAffinity { get; init; }

    /// <summary>Preferred pod anti-affinity terms, heaviest first.</summary>
    public required List<TopologyGroup> PreferredAntiAffinity { get; init; }

    public required List<HostPort> HostPorts { get; init; }

    /// <summary>Set when the pod spec itself cannot be scheduled (for example a malformed affinity).</summary>
    public string? InvalidReason { get; init; }

    /// <summary>Topology groups whose selector counts these pods.</summary>
    public List<TopologyGroup> CountedBy { get; } = [];

    /// <summary>Required anti-affinity groups, declared by any pod, whose selector matches these pods.</summary>
    public List<TopologyGroup> RepelledBy { get; } = [];

    /// <summary>True when a pod has no preferences to relax.</summary>
    public bool HasPreferences =>
        RequiredTerms.Count > 1 || PreferredNodeTerms.Count > 0 || PreferredAffinity.Count > 0 ||
        PreferredAntiAffinity.Count > 0 || Spreads.Any(s => s.ScheduleAnyway);

    public int Count => PodKeys.Count;

    /// <summary>Every topology group these pods declare (spread, pod affinity and anti-affinity) or are counted or repelled by.</summary>
    public IEnumerable<TopologyGroup> TopologyGroups() =>
        Spreads.Select(s => s.Group).Concat(RequiredAffinity).Concat(RequiredAntiAffinity)
            .Concat(PreferredAffinity).Concat(PreferredAntiAffinity).Concat(CountedBy).Concat(RepelledBy);
}
