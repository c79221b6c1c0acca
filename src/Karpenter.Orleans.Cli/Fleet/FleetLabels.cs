using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// The labels <c>-l</c> matches. The API does not return objects' metadata labels, so these are the labels Karpenter
/// itself puts on a NodeClaim (its NodePool, instance type, zone and capacity type, once known) and the NodePool label
/// of a NodePool, read from the record's fields.
/// </summary>
internal static class FleetLabels
{
    public static Dictionary<string, string> Of(NodeClaimInfo claim)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(labels, WellKnownLabels.NodePool, claim.NodePool);
        Add(labels, WellKnownLabels.InstanceType, claim.InstanceType);
        Add(labels, WellKnownLabels.Zone, claim.Zone);
        Add(labels, WellKnownLabels.CapacityType, claim.CapacityType);
        return labels;
    }

    public static Dictionary<string, string> Of(NodePoolStatus pool)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(labels, WellKnownLabels.NodePool, pool.Name);
        return labels;
    }

    private static void Add(Dictionary<string, string> labels, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            labels[key] = value;
        }
    }
}
