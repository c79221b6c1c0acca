using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// The offerings a planned NodeClaim's launch request carries, in the order the cloud provider tries them:
/// the offering the plan chose first (its cost and topology assumed it), then every other available
/// offering of the claim's instance type options that its zone and capacity-type requirements allow,
/// cheapest first across all types and zones (instance type, zone and capacity type break ties). When an
/// offering fails for capacity the launch falls back along this list.
/// </summary>
public static class LaunchOfferings
{
    /// <summary>
    /// Default cap on the offerings of one launch: room for the 60 instance types a claim reports in a few
    /// zones, and a request a cloud API takes in one call. Only the dearest fallbacks are cut.
    /// </summary>
    public const int DefaultMaxOfferings = 200;

    /// <param name="plan">The claim to launch.</param>
    /// <param name="instanceTypes">The catalog's types by name; options no longer in it are skipped.</param>
    /// <param name="maxPricePerHour">No offering dearer than this (a spend cap's ceiling); the planned one included.</param>
    /// <param name="maxOfferings">How many offerings at most, at least 1.</param>
    public static IReadOnlyList<LaunchOffering> For(PlannedNodeClaim plan, IReadOnlyDictionary<string, InstanceType> instanceTypes,
        double maxPricePerHour = double.PositiveInfinity, int maxOfferings = DefaultMaxOfferings)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(instanceTypes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOfferings, 1);
        var zones = plan.Requirements[WellKnownLabels.Zone];
        var capacityTypes = plan.Requirements[WellKnownLabels.CapacityType];
        var seen = new HashSet<(string, string, string)>();
        var options = new List<LaunchOffering>();
        foreach (var name in plan.InstanceTypeOptions)
        {
            if (!instanceTypes.TryGetValue(name, out var type))
            {
                continue;
            }

            foreach (var o in type.Offerings)
            {
                if (o.Available && o.Price <= maxPricePerHour && (zones is null || zones.Has(o.Zone)) &&
                    (capacityTypes is null || capacityTypes.Has(o.CapacityType)) && seen.Add((name, o.Zone, o.CapacityType)))
                {
                    options.Add(new LaunchOffering(name, o.Zone, o.CapacityType, o.Price));
                }
            }
        }

        options.Sort((a, b) =>
        {
            var c = IsPlanned(plan, b).CompareTo(IsPlanned(plan, a));
            c = c != 0 ? c : a.PricePerHour.CompareTo(b.PricePerHour);
            c = c != 0 ? c : string.CompareOrdinal(a.InstanceType, b.InstanceType);
            c = c != 0 ? c : string.CompareOrdinal(a.Zone, b.Zone);
            return c != 0 ? c : string.CompareOrdinal(a.CapacityType, b.CapacityType);
        });
        if (options.Count > maxOfferings)
        {
            options.RemoveRange(maxOfferings, options.Count - maxOfferings);
        }

        return options;
    }

    private static bool IsPlanned(PlannedNodeClaim plan, LaunchOffering o) =>
        o.InstanceType == plan.InstanceType && o.Zone == plan.Zone && o.CapacityType == plan.CapacityType;
}
