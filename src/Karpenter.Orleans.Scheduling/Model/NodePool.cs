using k8s.Models;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>
/// A validated karpenter.sh/v1 NodePool. Limits keep the raw names (cpu, memory, nodes, any extended
/// resource); <see cref="LimitVector"/> and <see cref="NodeLimit"/> are the parsed forms the solver uses.
/// </summary>
public sealed record NodePool
{
    public required string Name { get; init; }

    /// <summary>1..100 when written, 0 when unset; higher weights are tried first.</summary>
    public int Weight { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<NodeSelectorRequirementWithMinValues> Requirements { get; init; } = [];

    public IReadOnlyList<V1Taint> Taints { get; init; } = [];

    /// <summary>Taints present while a node starts; pods need not tolerate them to be scheduled.</summary>
    public IReadOnlyList<V1Taint> StartupTaints { get; init; } = [];

    public NodeClassReference? NodeClassRef { get; init; }

    /// <summary>
    /// The kubelet's <c>maxPods</c> from the node class this NodePool refers to (an EC2NodeClass's
    /// <c>spec.kubelet.maxPods</c>): a new node of this NodePool holds that many pods, whatever its type's
    /// allocatable says, as Karpenter sets the kubelet's <c>--max-pods</c>. Null keeps each type's own pod count.
    /// </summary>
    public int? MaxPods { get; init; }

    /// <summary>
    /// What a new node of this NodePool holds per instance type name when its node class's kubelet settings make
    /// that differ from the catalog's allocatable (an EC2NodeClass's <c>maxPods</c>, <c>podsPerCore</c>,
    /// <c>kubeReserved</c>, <c>systemReserved</c>; the provider computes it, <c>ICloudProvider.ApplyNodeClass</c>).
    /// A type not in it keeps the catalog's allocatable with <see cref="MaxPods"/>. Null: no override.
    /// </summary>
    public IReadOnlyDictionary<string, ResourceVector>? AllocatableByType { get; init; }

    /// <summary>Null means "Never".</summary>
    public TimeSpan? ExpireAfter { get; init; } = TimeSpan.FromHours(720);

    public TimeSpan? TerminationGracePeriod { get; init; }

    /// <summary>Raw limits as written (resource name to quantity string).</summary>
    public IReadOnlyDictionary<string, string> Limits { get; init; } = new Dictionary<string, string>();

    public NodePoolDisruption Disruption { get; init; } = NodePoolDisruption.Default;

    /// <summary>Resource limits parsed, or null when the NodePool limits no resource.</summary>
    public ResourceVector? LimitVector =>
        Limits.Keys.Any(k => k != ResourceNames.Nodes)
            ? ResourceVector.Parse(Limits.Where(l => l.Key != ResourceNames.Nodes))
            : null;

    /// <summary>The <c>limits.nodes</c> value, when set.</summary>
    public long? NodeLimit =>
        Limits.TryGetValue(ResourceNames.Nodes, out var n) ? (long)ResourceVector.ParseQuantity(ResourceNames.Nodes, n).ToDecimal() : null;

    /// <summary>Template requirements plus template labels (as In requirements) and the NodePool label.</summary>
    public RequirementSet TemplateRequirements =>
        RequirementSet.Of(Requirements.Select(Requirement.From))
            .Add(RequirementSet.FromLabels(Labels))
            .Add(Requirement.In(WellKnownLabels.NodePool, Name));
}
