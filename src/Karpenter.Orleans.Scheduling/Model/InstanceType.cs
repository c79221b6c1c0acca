using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>
/// A cloud instance type as the solver sees it. <see cref="Labels"/> exclude the zone and capacity type,
/// which follow from the offering; <see cref="Capacity"/> is the whole machine (what NodePool limits
/// count) and <see cref="Allocatable"/> what pods can use.
/// </summary>
public sealed class InstanceType
{
    public InstanceType(string name, IReadOnlyDictionary<string, string> labels, ResourceVector capacity, ResourceVector allocatable, IReadOnlyList<Offering> offerings)
    {
        Name = name;
        var all = new SortedDictionary<string, string>(labels.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal)
        {
            [WellKnownLabels.InstanceType] = name,
        };
        Labels = all;
        Capacity = capacity;
        Allocatable = allocatable;
        Offerings = offerings;
        Requirements = RequirementSet.FromLabels(all);
    }

    public string Name { get; }

    /// <summary>Labels a node of this type carries, including <c>node.kubernetes.io/instance-type</c>.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    public ResourceVector Capacity { get; }

    public ResourceVector Allocatable { get; }

    public IReadOnlyList<Offering> Offerings { get; }

    /// <summary>The labels as In-requirements, for intersection with claim requirements.</summary>
    public RequirementSet Requirements { get; }

    public override string ToString() => Name;
}
